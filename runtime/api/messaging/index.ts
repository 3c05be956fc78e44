// The messaging area's internal API for other areas.
export {
  dataCloneError, deserializeWithTransfer, registerSerializable, registerTransferable, serializeWithTransfer, structuredClone,
  type Serialized,
} from './structured-clone.ts';
export { MessageChannel, MessagePort, isMessagePort } from './message-port.ts';
export { MessageEvent, createMessageEvent } from './message-event.ts';
