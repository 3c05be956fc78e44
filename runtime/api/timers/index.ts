// The timers area's internal API for other areas.
export {
  clearInternalTimer, hostSleep, pendingTimerCount, queueTask, setInternalTimer, type InternalTimer,
} from './timers.ts';
export { queueMicrotask } from './microtask.ts';
