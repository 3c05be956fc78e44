// HTML Standard: PromiseRejectionEvent.
// https://html.spec.whatwg.org/multipage/webappapis.html#promiserejectionevent
import { TypeError } from '../intrinsics.ts';
import { Event, eventConstructorArgs } from './event.ts';
import { dictMember, finishInterface } from './idl.ts';

interface Fields { promise: object; reason: unknown }
let fieldsOf: (v: unknown) => Fields | undefined;

export class PromiseRejectionEvent extends Event {
  #f: Fields;

  constructor(type: unknown, eventInitDict: unknown) {
    const { type: typeString, dict, base } = eventConstructorArgs(arguments.length, 2, type, eventInitDict, 'PromiseRejectionEvent');
    const promise = dictMember(dict, 'promise');
    if (promise === undefined) {
      throw new TypeError("Failed to construct 'PromiseRejectionEvent': required member promise is undefined.");
    }
    // `required object promise`.
    if ((typeof promise !== 'object' && typeof promise !== 'function') || promise === null) {
      throw new TypeError("Failed to construct 'PromiseRejectionEvent': member promise is not an object.");
    }
    const reason = dictMember(dict, 'reason');
    super(typeString, base);
    this.#f = { promise: promise as object, reason };
  }

  static {
    fieldsOf = (v) => (typeof v === 'object' && v !== null && #f in v ? (v as PromiseRejectionEvent).#f : undefined);
  }

  get promise(): object {
    const f = fieldsOf(this);
    if (f === undefined) throw new TypeError('Illegal invocation');
    return f.promise;
  }
  get reason(): unknown {
    const f = fieldsOf(this);
    if (f === undefined) throw new TypeError('Illegal invocation');
    return f.reason;
  }
}

finishInterface(PromiseRejectionEvent, 'PromiseRejectionEvent', { constructor: 2 });
