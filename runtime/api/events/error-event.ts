// HTML Standard: ErrorEvent. https://html.spec.whatwg.org/multipage/webappapis.html#errorevent
import { TypeError } from '../intrinsics.ts';
import { Event, eventConstructorArgs } from './event.ts';
import { dictMember, finishInterface, toDOMString } from './idl.ts';

interface ErrorEventFields {
  message: string;
  filename: string;
  lineno: number;
  colno: number;
  error: unknown;
}

let fieldsOf: (v: unknown) => ErrorEventFields | undefined;

/** WebIDL `unsigned long`. */
function toUnsignedLong(v: unknown): number {
  if (typeof v === 'bigint' || typeof v === 'symbol') throw new TypeError('Cannot convert value to a number');
  const n = +(v as number);
  return n !== n || n === Infinity || n === -Infinity ? 0 : (n >>> 0);
}

export class ErrorEvent extends Event {
  #f: ErrorEventFields;

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    const { type: typeString, dict, base } = eventConstructorArgs(arguments.length, 1, type, eventInitDict, 'ErrorEvent');
    // Own members, in lexicographic order, after the inherited ones.
    const colno = dictMember(dict, 'colno');
    const error = dictMember(dict, 'error');
    const filename = dictMember(dict, 'filename');
    const lineno = dictMember(dict, 'lineno');
    const message = dictMember(dict, 'message');
    super(typeString, base);
    this.#f = {
      message: message === undefined ? '' : toDOMString(message),
      filename: filename === undefined ? '' : toDOMString(filename),
      lineno: lineno === undefined ? 0 : toUnsignedLong(lineno),
      colno: colno === undefined ? 0 : toUnsignedLong(colno),
      error,
    };
  }

  static {
    fieldsOf = (v) => (typeof v === 'object' && v !== null && #f in v ? (v as ErrorEvent).#f : undefined);
  }

  get message(): string {
    return fields(this).message;
  }
  get filename(): string {
    return fields(this).filename;
  }
  get lineno(): number {
    return fields(this).lineno;
  }
  get colno(): number {
    return fields(this).colno;
  }
  get error(): unknown {
    return fields(this).error;
  }
}

function fields(self: unknown): ErrorEventFields {
  const f = fieldsOf(self);
  if (f === undefined) throw new TypeError('Illegal invocation');
  return f;
}

export function errorEventFields(v: unknown): ErrorEventFields | undefined {
  return fieldsOf(v);
}

const internalInit = { __proto__: null, bubbles: false, cancelable: true, composed: false } as unknown as object;

/** An ErrorEvent built by the runtime (no tenant-visible dictionary reads). */
export function createErrorEvent(info: ErrorEventFields): ErrorEvent {
  const event = new ErrorEvent('error', internalInit);
  const f = fieldsOf(event)!;
  f.message = info.message;
  f.filename = info.filename;
  f.lineno = info.lineno;
  f.colno = info.colno;
  f.error = info.error;
  return event;
}

finishInterface(ErrorEvent, 'ErrorEvent', { constructor: 1 });
