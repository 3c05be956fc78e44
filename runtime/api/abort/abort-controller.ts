// DOM Standard: AbortController. https://dom.spec.whatwg.org/#interface-abortcontroller
import { TypeError } from '../intrinsics.ts';
import { finishInterface } from '../events/idl.ts';
import { createAbortSignal, signalAbort, type AbortSignal } from './abort-signal.ts';

let signalOf: (v: unknown) => AbortSignal | undefined;

export class AbortController {
  #signal: AbortSignal;

  constructor() {
    this.#signal = createAbortSignal();
  }

  static {
    signalOf = (v) => (typeof v === 'object' && v !== null && #signal in v ? (v as AbortController).#signal : undefined);
  }

  get signal(): AbortSignal {
    const s = signalOf(this);
    if (s === undefined) throw new TypeError('Illegal invocation');
    return s;
  }

  abort(reason: unknown = undefined): void {
    const s = signalOf(this);
    if (s === undefined) throw new TypeError('Illegal invocation');
    signalAbort(s, reason);
  }
}

finishInterface(AbortController, 'AbortController', { abort: 0 });
