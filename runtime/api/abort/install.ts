// Abort: AbortController and AbortSignal.
import { exposeInterface } from '../globals.ts';
import { AbortController } from './abort-controller.ts';
import { AbortSignal } from './abort-signal.ts';

export function install(): void {
  exposeInterface('AbortController', AbortController);
  exposeInterface('AbortSignal', AbortSignal);
}
