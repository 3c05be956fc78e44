// Events: Event, EventTarget, CustomEvent, ErrorEvent, PromiseRejectionEvent, the global scope as
// an EventTarget, reportError, and unhandled-rejection reporting.
import { exposeFunction, exposeInterface } from '../globals.ts';
import { provideListenerCount } from '../worker/web.ts';
import { CustomEvent } from './custom-event.ts';
import { ErrorEvent } from './error-event.ts';
import { Event } from './event.ts';
import { EventTarget, listenerCount } from './event-target.ts';
import { installGlobalScope } from './global-scope.ts';
import { PromiseRejectionEvent } from './promise-rejection-event.ts';
import './promise-rejections.ts';
import { reportError } from './report.ts';

export function install(): void {
  exposeInterface('Event', Event);
  exposeInterface('EventTarget', EventTarget);
  exposeInterface('CustomEvent', CustomEvent);
  exposeInterface('ErrorEvent', ErrorEvent);
  exposeInterface('PromiseRejectionEvent', PromiseRejectionEvent);
  installGlobalScope();
  exposeFunction('reportError', reportError);
  provideListenerCount(listenerCount);
}
