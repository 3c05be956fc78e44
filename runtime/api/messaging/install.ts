// Messaging: structuredClone, MessageChannel, MessagePort, MessageEvent.
import { exposeFunction, exposeInterface } from '../globals.ts';
import { MessageEvent } from './message-event.ts';
import { MessageChannel, MessagePort } from './message-port.ts';
import { structuredClone } from './structured-clone.ts';

export function install(): void {
  exposeInterface('MessageChannel', MessageChannel);
  exposeInterface('MessagePort', MessagePort);
  exposeInterface('MessageEvent', MessageEvent);
  exposeFunction('structuredClone', structuredClone);
}
