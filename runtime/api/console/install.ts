// Replaces the `console` V8 puts on a bare context (its methods only reach an inspector) with the
// Console Standard namespace whose output goes to the host's log.
import { exposeNamespace } from '../globals.ts';
import { createConsole } from './console.ts';
import { captureInspectableInterfaces, captureLateIntrinsics } from './inspect.ts';

export function install(): void {
  exposeNamespace('console', createConsole());
  // Areas installed before this one (URL, fetch, file, events, …) print their attributes.
  captureInspectableInterfaces();
}

/** Per-isolate boot, before tenant code (called from ../boot.ts). */
export function boot(): void {
  captureLateIntrinsics();
}
