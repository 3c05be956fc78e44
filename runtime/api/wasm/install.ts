// WebAssembly stays V8's namespace; this area enforces the code generation policy (./policy.ts).
import { captureInspectableInterfaces } from '../console/inspect.ts';
import { installStringCodeGenerationPolicy, installWasmCodeGenerationPolicy } from './policy.ts';

export function install(): void {
  installStringCodeGenerationPolicy();
  // Installed late in the prelude: let console inspection know the interfaces defined since the
  // console area was installed (compression, crypto, performance, …).
  captureInspectableInterfaces();
}

/** Per-isolate boot, before tenant code (called from ../boot.ts): `WebAssembly` exists only now. */
export function boot(): void {
  installWasmCodeGenerationPolicy();
}
