// HTML Standard: MessageChannel and MessagePort (channel messaging within the isolate).
// https://html.spec.whatwg.org/multipage/web-messaging.html#channel-messaging
import { ArrayPrototypeIndexOf, ArrayPrototypePush, ArrayPrototypeShift, ReflectGet, SymbolIterator, TypeError } from '../intrinsics.ts';
import { DOMException } from '../webidl/dom-exception.ts';
import { Event } from '../events/event.ts';
import { EventTarget, dispatchTrustedEvent } from '../events/event-target.ts';
import { defineEventHandler } from '../events/event-handler.ts';
import { finishInterface, illegalConstructor, requiredArguments, toSequence } from '../events/idl.ts';
import { queueTask } from '../timers/timers.ts';
import { createMessageEvent, setMessagePortCheck } from './message-event.ts';
import {
  deserializeWithTransfer, readTransferOption, registerTransferable, serializeWithTransfer, type Serialized,
} from './structured-clone.ts';
import { newList } from '../events/list.ts';

/** A port's entanglement and message queue; moves to a new MessagePort object when transferred. */
interface PortState {
  owner: MessagePort | null;
  entangled: PortState | null;
  queue: Serialized[];
  /** The port message queue is enabled (start() or onmessage). */
  enabled: boolean;
  /** [[Detached]]: transferred away (this state moved to another MessagePort object). */
  detached: boolean;
}

const INTERNAL = Symbol('MessagePort');
let stateOf: (v: unknown) => PortState | undefined;

export class MessagePort extends EventTarget {
  #s: PortState;

  constructor(key: unknown = undefined, state: PortState | undefined = undefined) {
    if (key !== INTERNAL) illegalConstructor();
    super();
    this.#s = state!;
    state!.owner = this;
  }

  static {
    stateOf = (v) => (typeof v === 'object' && v !== null && #s in v ? (v as MessagePort).#s : undefined);
  }

  postMessage(message: unknown, options: unknown = undefined): void {
    const s = portState(this);
    requiredArguments(arguments.length, 1, 'postMessage');
    let transfer: object[];
    // Overloads: postMessage(message, sequence<object> transfer) / postMessage(message, options).
    if (typeof options === 'object' && options !== null && typeof ReflectGet(options, SymbolIterator) === 'function') {
      transfer = toSequence(options, "Failed to execute 'postMessage' on 'MessagePort': transfer", (item) => {
        if ((typeof item !== 'object' && typeof item !== 'function') || item === null) {
          throw new TypeError("Failed to execute 'postMessage' on 'MessagePort': transfer contains a non-object.");
        }
        return item as object;
      });
    } else {
      transfer = readTransferOption(options, "Failed to execute 'postMessage' on 'MessagePort'");
    }
    postMessageSteps(this, s, message, transfer);
  }

  start(): void {
    startPort(portState(this));
  }

  close(): void {
    // Disentangles: nothing new arrives or leaves. Messages already in this port's queue are still
    // delivered, and a closed port can still be transferred (as browsers and WPT expect).
    disentangle(portState(this));
  }
}

defineEventHandler(MessagePort.prototype, 'message', (target) => startPort(portState(target)));
defineEventHandler(MessagePort.prototype, 'messageerror');
defineEventHandler(MessagePort.prototype, 'close');
finishInterface(MessagePort, 'MessagePort', { constructor: 0, postMessage: 1 });

function portState(self: unknown): PortState {
  const s = stateOf(self);
  if (s === undefined) throw new TypeError('Illegal invocation');
  return s;
}

export function isMessagePort(v: unknown): boolean {
  return stateOf(v) !== undefined;
}

function newState(): PortState {
  return { owner: null, entangled: null, queue: newList(), enabled: false, detached: false };
}

function startPort(s: PortState): void {
  if (s.enabled || s.detached) return;
  s.enabled = true;
  for (let i = 0; i < s.queue.length; i++) queueTask(() => deliverOne(s));
}

function disentangle(s: PortState): void {
  const other = s.entangled;
  if (other === null) return;
  s.entangled = null;
  other.entangled = null;
  // HTML fires `close` at the other port; here as a task, after the messages already queued for it.
  queueTask(() => {
    if (other.owner !== null && !other.detached) dispatchTrustedEvent(other.owner, new Event('close'));
  });
}

function postMessageSteps(port: MessagePort, s: PortState, message: unknown, transfer: object[]): void {
  if (ArrayPrototypeIndexOf(transfer, port) !== -1) {
    throw new DOMException('A MessagePort cannot transfer itself.', 'DataCloneError');
  }
  const target = s.entangled;
  const doomed = target !== null && target.owner !== null && ArrayPrototypeIndexOf(transfer, target.owner) !== -1;
  const serialized = serializeWithTransfer(message, transfer);
  if (target === null || doomed) return;
  ArrayPrototypePush(target.queue, serialized);
  if (target.enabled) queueTask(() => deliverOne(target));
}

/** One message task: the oldest message of the port's queue becomes a `message` event. */
function deliverOne(s: PortState): void {
  if (!s.enabled || s.owner === null) return;
  const serialized = ArrayPrototypeShift(s.queue);
  if (serialized === undefined) return;
  let result: { value: unknown; transferred: object[] };
  try {
    result = deserializeWithTransfer(serialized);
  } catch {
    dispatchTrustedEvent(s.owner, new Event('messageerror'));
    return;
  }
  const ports = newList<object>();
  for (let i = 0; i < result.transferred.length; i++) {
    if (isMessagePort(result.transferred[i])) ArrayPrototypePush(ports, result.transferred[i]!);
  }
  dispatchTrustedEvent(s.owner, createMessageEvent('message', result.value, ports));
}

setMessagePortCheck(isMessagePort);

registerTransferable(
  isMessagePort,
  (v) => portState(v).detached,
  (v) => {
    // Transfer steps: the queue and the entanglement move to a state the receiving side adopts.
    const old = portState(v);
    const moved = newState();
    moved.queue = old.queue;
    moved.entangled = old.entangled;
    if (moved.entangled !== null) moved.entangled.entangled = moved;
    old.queue = newList();
    old.entangled = null;
    old.detached = true;
    old.enabled = false;
    return moved;
  },
  (data) => new MessagePort(INTERNAL, data as PortState),
);

let channelPorts: (v: unknown, which: 1 | 2) => MessagePort;

export class MessageChannel {
  #port1: MessagePort;
  #port2: MessagePort;

  constructor() {
    const a = newState();
    const b = newState();
    a.entangled = b;
    b.entangled = a;
    this.#port1 = new MessagePort(INTERNAL, a);
    this.#port2 = new MessagePort(INTERNAL, b);
  }

  static {
    channelPorts = (v, which) => {
      if (typeof v !== 'object' || v === null || !(#port1 in v)) throw new TypeError('Illegal invocation');
      return which === 1 ? (v as MessageChannel).#port1 : (v as MessageChannel).#port2;
    };
  }

  get port1(): MessagePort {
    return channelPorts(this, 1);
  }
  get port2(): MessagePort {
    return channelPorts(this, 2);
  }
}

finishInterface(MessageChannel, 'MessageChannel');
