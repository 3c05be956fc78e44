// The events area's internal API for other areas (import from here, not from the files).
export { Event, eventState, isEvent, setCanceledFlag, type EventState } from './event.ts';
export {
  EventTarget, addInternalListener, dispatchTrustedEvent, initEventTarget, isEventTarget, listenerCount, targetState,
} from './event-target.ts';
export { defineEventHandler, getEventHandler, setEventHandler } from './event-handler.ts';
export { CustomEvent } from './custom-event.ts';
export { ErrorEvent, createErrorEvent } from './error-event.ts';
export { PromiseRejectionEvent } from './promise-rejection-event.ts';
export { reportException, describeValue, safeStack } from './report.ts';
export { notifyUnhandledRejection, takeUnhandledRejections } from './promise-rejections.ts';
export { newList } from './list.ts';
