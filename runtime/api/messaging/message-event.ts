// HTML Standard: MessageEvent. https://html.spec.whatwg.org/multipage/comms.html#messageevent
import { ArrayPrototypeSlice, ObjectFreeze, TypeError } from '../intrinsics.ts';
import { Event, eventConstructorArgs, eventState, initializeEvent } from '../events/event.ts';
import { dictMember, finishInterface, requiredArguments, toDOMString, toSequence } from '../events/idl.ts';

interface Fields {
  data: unknown;
  origin: string;
  lastEventId: string;
  source: object | null;
  ports: readonly object[];
}

let fieldsOf: (v: unknown) => Fields | undefined;
let isPort: (v: unknown) => boolean = () => false;

/** The messaging area tells MessageEvent how to recognize a MessagePort (MessageEventSource). */
export function setMessagePortCheck(check: (v: unknown) => boolean): void {
  isPort = check;
}

const EMPTY_PORTS: readonly object[] = ObjectFreeze([]);

function toSource(v: unknown): object | null {
  if (v === null || v === undefined) return null;
  if (!isPort(v)) throw new TypeError("Failed to convert value to 'MessageEventSource': it is not a MessagePort.");
  return v as object;
}

function toPorts(v: unknown): readonly object[] {
  const list = toSequence(v, 'ports', (item) => {
    if (!isPort(item)) throw new TypeError("Failed to convert value to 'MessagePort'.");
    return item as object;
  });
  return list.length === 0 ? EMPTY_PORTS : ObjectFreeze(ArrayPrototypeSlice(list));
}

export class MessageEvent extends Event {
  #f: Fields;

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    const { type: typeString, dict, base } = eventConstructorArgs(arguments.length, 1, type, eventInitDict, 'MessageEvent');
    const data = dictMember(dict, 'data');
    const lastEventId = dictMember(dict, 'lastEventId');
    const origin = dictMember(dict, 'origin');
    const ports = dictMember(dict, 'ports');
    const source = dictMember(dict, 'source');
    const f: Fields = {
      data: data === undefined ? null : data,
      lastEventId: lastEventId === undefined ? '' : toDOMString(lastEventId),
      origin: origin === undefined ? '' : toDOMString(origin),
      ports: ports === undefined ? EMPTY_PORTS : toPorts(ports),
      source: toSource(source),
    };
    super(typeString, base);
    this.#f = f;
  }

  static {
    fieldsOf = (v) => (typeof v === 'object' && v !== null && #f in v ? (v as MessageEvent).#f : undefined);
  }

  get data(): unknown {
    return fields(this).data;
  }
  get origin(): string {
    return fields(this).origin;
  }
  get lastEventId(): string {
    return fields(this).lastEventId;
  }
  get source(): object | null {
    return fields(this).source;
  }
  get ports(): readonly object[] {
    return fields(this).ports;
  }

  initMessageEvent(
    type: unknown, bubbles: unknown = false, cancelable: unknown = false, data: unknown = null, origin: unknown = '',
    lastEventId: unknown = '', source: unknown = null, ports: unknown = undefined,
  ): void {
    const f = fields(this);
    requiredArguments(arguments.length, 1, 'initMessageEvent');
    const typeString = toDOMString(type);
    const originString = toDOMString(origin);
    const lastEventIdString = toDOMString(lastEventId);
    const sourceValue = toSource(source);
    const portList = ports === undefined ? EMPTY_PORTS : toPorts(ports);
    const s = eventState(this)!;
    if (s.dispatching) return;
    initializeEvent(s, typeString, !!bubbles, !!cancelable);
    f.data = data;
    f.origin = originString;
    f.lastEventId = lastEventIdString;
    f.source = sourceValue;
    f.ports = portList;
  }
}

function fields(self: unknown): Fields {
  const f = fieldsOf(self);
  if (f === undefined) throw new TypeError('Illegal invocation');
  return f;
}

/** A MessageEvent made by the runtime (message delivery): no tenant-visible dictionary reads. */
export function createMessageEvent(type: string, data: unknown, ports: object[]): MessageEvent {
  const event = new MessageEvent(type);
  const f = fieldsOf(event)!;
  f.data = data;
  f.ports = ports.length === 0 ? EMPTY_PORTS : ObjectFreeze(ArrayPrototypeSlice(ports));
  return event;
}

finishInterface(MessageEvent, 'MessageEvent', { constructor: 1, initMessageEvent: 1 });
