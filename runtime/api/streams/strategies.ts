// ByteLengthQueuingStrategy and CountQueuingStrategy (https://streams.spec.whatwg.org/#qs).
import { ObjectDefineProperty, TypeError } from '../intrinsics.ts';
import { brandCheck, dictionary, requireArgs, slotReader, toUnrestrictedDouble, webidlInterface } from './idl.ts';

// One size function per realm for each strategy (built-in functions: not constructors).
const byteLengthSize = {
  size(chunk: unknown): unknown {
    return (chunk as { byteLength: unknown }).byteLength;
  },
}.size;
const countSize = {
  size(): number {
    return 1;
  },
}.size;
ObjectDefineProperty(byteLengthSize, 'length', { value: 1 });

function toInit(init: unknown, what: string): number {
  const d = dictionary(init, `Failed to construct '${what}': init`);
  const hwm = d === undefined ? undefined : d.highWaterMark;
  if (hwm === undefined) throw new TypeError(`Failed to construct '${what}': required member highWaterMark is undefined.`);
  return toUnrestrictedDouble(hwm);
}

let getByteHWM: (o: ByteLengthQueuingStrategy) => number;
let getCountHWM: (o: CountQueuingStrategy) => number;
const byteHWM = brandCheck('ByteLengthQueuingStrategy', slotReader((o: ByteLengthQueuingStrategy) => getByteHWM(o)));
const countHWM = brandCheck('CountQueuingStrategy', slotReader((o: CountQueuingStrategy) => getCountHWM(o)));

export class ByteLengthQueuingStrategy {
  #highWaterMark: number;
  static {
    getByteHWM = (o) => o.#highWaterMark;
  }
  constructor(init: unknown) {
    requireArgs(arguments.length, 1, "Failed to construct 'ByteLengthQueuingStrategy'");
    this.#highWaterMark = toInit(init, 'ByteLengthQueuingStrategy');
  }

  get highWaterMark(): number {
    return byteHWM(this, 'highWaterMark');
  }

  get size(): (chunk: unknown) => unknown {
    byteHWM(this, 'size');
    return byteLengthSize;
  }
}

export class CountQueuingStrategy {
  #highWaterMark: number;
  static {
    getCountHWM = (o) => o.#highWaterMark;
  }
  constructor(init: unknown) {
    requireArgs(arguments.length, 1, "Failed to construct 'CountQueuingStrategy'");
    this.#highWaterMark = toInit(init, 'CountQueuingStrategy');
  }

  get highWaterMark(): number {
    return countHWM(this, 'highWaterMark');
  }

  get size(): () => number {
    countHWM(this, 'size');
    return countSize;
  }
}

webidlInterface(ByteLengthQueuingStrategy, 'ByteLengthQueuingStrategy');
webidlInterface(CountQueuingStrategy, 'CountQueuingStrategy');
