// DOM Standard: CustomEvent. https://dom.spec.whatwg.org/#interface-customevent
import { TypeError } from '../intrinsics.ts';
import { Event, eventConstructorArgs, eventState, initializeEvent } from './event.ts';
import { dictMember, finishInterface, requiredArguments, toDOMString } from './idl.ts';

let detailOf: (v: unknown) => { detail: unknown } | undefined;

export class CustomEvent extends Event {
  #d: { detail: unknown };

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    const { type: typeString, dict, base } = eventConstructorArgs(arguments.length, 1, type, eventInitDict, 'CustomEvent');
    const detail = dictMember(dict, 'detail');
    super(typeString, base);
    this.#d = { detail: detail === undefined ? null : detail };
  }

  static {
    detailOf = (v) => (typeof v === 'object' && v !== null && #d in v ? (v as CustomEvent).#d : undefined);
  }

  get detail(): unknown {
    const d = detailOf(this);
    if (d === undefined) throw new TypeError('Illegal invocation');
    return d.detail;
  }

  initCustomEvent(type: unknown, bubbles: unknown = false, cancelable: unknown = false, detail: unknown = null): void {
    const d = detailOf(this);
    if (d === undefined) throw new TypeError('Illegal invocation');
    requiredArguments(arguments.length, 1, 'initCustomEvent');
    const typeString = toDOMString(type);
    const s = eventState(this)!;
    if (s.dispatching) return;
    initializeEvent(s, typeString, !!bubbles, !!cancelable);
    d.detail = detail;
  }
}

finishInterface(CustomEvent, 'CustomEvent', { constructor: 1, initCustomEvent: 1 });
