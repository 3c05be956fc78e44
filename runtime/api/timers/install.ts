// Timers and microtasks: setTimeout, setInterval, clearTimeout, clearInterval, queueMicrotask.
import { exposeFunction } from '../globals.ts';
import { queueMicrotask } from './microtask.ts';
import { clearInterval, clearTimeout, setInterval, setTimeout } from './timers.ts';

export function install(): void {
  exposeFunction('setTimeout', setTimeout);
  exposeFunction('setInterval', setInterval);
  exposeFunction('clearTimeout', clearTimeout);
  exposeFunction('clearInterval', clearInterval);
  exposeFunction('queueMicrotask', queueMicrotask);
}
