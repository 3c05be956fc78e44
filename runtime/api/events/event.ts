// DOM Standard: Event. https://dom.spec.whatwg.org/#interface-event
// State lives in one private record per event; other modules reach it through `eventState`.
import { ObjectDefineProperty, ObjectFreeze, TypeError, ArrayPrototypeSlice } from '../intrinsics.ts';
import { now } from '../performance/clock.ts';
import { defineConstants, dictMember, finishInterface, nameFunction, requiredArguments, toDictionary, toDOMString } from './idl.ts';

export const NONE = 0;
export const CAPTURING_PHASE = 1;
export const AT_TARGET = 2;
export const BUBBLING_PHASE = 3;

export interface EventState {
  type: string;
  target: object | null;
  currentTarget: object | null;
  eventPhase: number;
  bubbles: boolean;
  cancelable: boolean;
  composed: boolean;
  isTrusted: boolean;
  timeStamp: number;
  stopPropagation: boolean;
  stopImmediatePropagation: boolean;
  canceled: boolean;
  inPassiveListener: boolean;
  initialized: boolean;
  dispatching: boolean;
  /** The event path while dispatching (the invocation targets), else empty. */
  path: object[];
}

const EMPTY_PATH = ObjectFreeze([] as object[]) as object[];

let stateOf: (v: unknown) => EventState | undefined;
let isTrustedGetter: () => boolean;

/** Reads EventInit's members (bubbles, cancelable, composed) in WebIDL order. */
export function readEventInit(init: object | undefined): { bubbles: boolean; cancelable: boolean; composed: boolean } {
  const bubbles = !!dictMember(init, 'bubbles');
  const cancelable = !!dictMember(init, 'cancelable');
  const composed = !!dictMember(init, 'composed');
  return { bubbles, cancelable, composed };
}

export interface EventConstructorArgs {
  type: string;
  /** The init dictionary (undefined when none was given), for the subclass's own members. */
  dict: object | undefined;
  base: { bubbles: boolean; cancelable: boolean; composed: boolean };
}

/**
 * The common start of an Event subclass's constructor, in WebIDL conversion order: the argument
 * count, `type`, the `<name>Init` dictionary and its inherited EventInit members. The subclass
 * then reads its own members from `dict` (lexicographically) and calls super(type, base).
 */
export function eventConstructorArgs(
  argc: number, required: number, type: unknown, eventInitDict: unknown, name: string,
): EventConstructorArgs {
  requiredArguments(argc, required, `construct '${name}'`);
  const typeString = toDOMString(type);
  const dict = toDictionary(eventInitDict, `${name}Init`);
  return { type: typeString, dict, base: readEventInit(dict) };
}

export class Event {
  #s: EventState;

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    requiredArguments(arguments.length, 1, `construct '${new.target.name || 'Event'}'`);
    const typeString = toDOMString(type);
    const init = readEventInit(toDictionary(eventInitDict, 'EventInit'));
    this.#s = {
      type: typeString,
      target: null,
      currentTarget: null,
      eventPhase: NONE,
      bubbles: init.bubbles,
      cancelable: init.cancelable,
      composed: init.composed,
      isTrusted: false,
      timeStamp: now(),
      stopPropagation: false,
      stopImmediatePropagation: false,
      canceled: false,
      inPassiveListener: false,
      initialized: true,
      dispatching: false,
      path: EMPTY_PATH,
    };
    // [LegacyUnforgeable] readonly attribute boolean isTrusted: an own, non-configurable accessor.
    ObjectDefineProperty(this, 'isTrusted', { get: isTrustedGetter, set: undefined, enumerable: true, configurable: false });
  }

  static {
    stateOf = (v) => (typeof v === 'object' && v !== null && #s in v ? (v as Event).#s : undefined);
    isTrustedGetter = nameFunction(function isTrusted(this: unknown): boolean {
      const s = stateOf(this);
      if (s === undefined) throw new TypeError('Illegal invocation');
      return s.isTrusted;
    }, 'get isTrusted');
  }

  get type(): string {
    return state(this).type;
  }
  get target(): object | null {
    return state(this).target;
  }
  /** Legacy alias of target. */
  get srcElement(): object | null {
    return state(this).target;
  }
  get currentTarget(): object | null {
    return state(this).currentTarget;
  }
  composedPath(): object[] {
    const s = state(this);
    // With no tree, the path is the target alone; it is only visible while dispatching.
    return s.currentTarget === null ? [] : ArrayPrototypeSlice(s.path);
  }
  get eventPhase(): number {
    return state(this).eventPhase;
  }
  stopPropagation(): void {
    state(this).stopPropagation = true;
  }
  get cancelBubble(): boolean {
    return state(this).stopPropagation;
  }
  set cancelBubble(value: boolean) {
    const s = state(this);
    if (value) s.stopPropagation = true;
  }
  stopImmediatePropagation(): void {
    const s = state(this);
    s.stopPropagation = true;
    s.stopImmediatePropagation = true;
  }
  get bubbles(): boolean {
    return state(this).bubbles;
  }
  get cancelable(): boolean {
    return state(this).cancelable;
  }
  get returnValue(): boolean {
    return !state(this).canceled;
  }
  set returnValue(value: boolean) {
    const s = state(this);
    if (!value) setCanceledFlag(s);
  }
  preventDefault(): void {
    setCanceledFlag(state(this));
  }
  get defaultPrevented(): boolean {
    return state(this).canceled;
  }
  get composed(): boolean {
    return state(this).composed;
  }
  get timeStamp(): number {
    return state(this).timeStamp;
  }
  initEvent(type: unknown, bubbles: unknown = false, cancelable: unknown = false): void {
    const s = state(this);
    requiredArguments(arguments.length, 1, 'initEvent');
    const typeString = toDOMString(type);
    if (s.dispatching) return;
    initializeEvent(s, typeString, !!bubbles, !!cancelable);
  }
}

function state(self: unknown): EventState {
  const s = stateOf(self);
  if (s === undefined) throw new TypeError('Illegal invocation');
  return s;
}

/** DOM "set the canceled flag". */
export function setCanceledFlag(s: EventState): void {
  if (s.cancelable && !s.inPassiveListener) s.canceled = true;
}

/** DOM "initialize" an event. */
export function initializeEvent(s: EventState, type: string, bubbles: boolean, cancelable: boolean): void {
  s.initialized = true;
  s.stopPropagation = false;
  s.stopImmediatePropagation = false;
  s.canceled = false;
  s.isTrusted = false;
  s.target = null;
  s.type = type;
  s.bubbles = bubbles;
  s.cancelable = cancelable;
}

/** The internal state of an Event (or subclass instance), or undefined for anything else. */
export function eventState(v: unknown): EventState | undefined {
  return stateOf(v);
}

export function isEvent(v: unknown): v is Event {
  return stateOf(v) !== undefined;
}

export function emptyPath(): object[] {
  return EMPTY_PATH;
}

defineConstants(Event, { NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE });
finishInterface(Event, 'Event', { constructor: 1, initEvent: 1 });
