// Per-isolate boot: binds the private host channel and returns the host's only entry point.
//
// The prelude is evaluated into the startup snapshot with no host. For each isolate the host calls
// `globalThis[BOOT_KEY](sync, async, send, config)` once; boot removes itself from the global, so
// by the time tenant code runs nothing of the channel is reachable from the global scope.
import { bindHost } from './bridge/host.ts';
import { entry } from './bridge/entry.ts';
import { ObjectDefineProperty, globalThisRef } from './intrinsics.ts';
import { applyBootConfig, type BootConfig } from './worker/config.ts';
import { boot as bootConsole } from './console/install.ts';
import { boot as bootWasm } from './wasm/install.ts';
import { captureGarbageCollector } from './worker/memory.ts';
import { captureSharedArrayBuffer } from './webidl/shared-array-buffer.ts';

export const BOOT_KEY = '__isle_boot';

function boot(
  sync: Parameters<typeof bindHost>[0],
  async: Parameters<typeof bindHost>[1],
  send: Parameters<typeof bindHost>[2],
  config: BootConfig,
): typeof entry {
  delete (globalThisRef as Record<string, unknown>)[BOOT_KEY];
  bindHost(sync, async, send);
  applyBootConfig(config);
  // Built-ins V8 adds to each context only after the snapshot is deserialized (WebAssembly,
  // SharedArrayBuffer, Error.isError) are captured or wrapped here, still before any tenant code.
  captureSharedArrayBuffer();
  bootConsole();
  bootWasm();
  captureGarbageCollector();
  return entry;
}

export function defineBoot(): void {
  ObjectDefineProperty(globalThisRef, BOOT_KEY, { value: boot, writable: false, enumerable: false, configurable: true });
}
