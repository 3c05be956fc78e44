// Crypto: https://w3c.github.io/webcrypto/#crypto-interface
import {
  TypeError, TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetSymbolToStringTag, globalThisRef,
} from '../intrinsics.ts';
import { DOMException } from '../webidl/dom-exception.ts';
import { finishInterface } from '../webidl/interface.ts';
import { fillRandom, randomUUID } from './random.ts';
import { createSubtle, type SubtleCrypto } from './subtle.ts';
import { toArrayBufferView, viewOfBytes } from './webidl.ts';

const MAX_RANDOM_BYTES = 65536;
const integerArrayTypes: readonly string[] = [
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'BigInt64Array', 'BigUint64Array',
];

// WebIDL's QuotaExceededError interface (a DOMException with `quota` and `requested`) when the runtime
// has it, captured at install; a DOMException named QuotaExceededError otherwise.
type QuotaExceededErrorCtor = new (message: string, options: { quota: number; requested: number }) => Error;
let QuotaExceededError: QuotaExceededErrorCtor | undefined;

function quotaExceeded(requested: number): Error {
  const message = `The ArrayBufferView's byte length (${requested}) exceeds the number of bytes of entropy available via this API (${MAX_RANDOM_BYTES})`;
  if (QuotaExceededError !== undefined) return new QuotaExceededError(message, { quota: MAX_RANDOM_BYTES, requested });
  return new DOMException(message, 'QuotaExceededError');
}

const constructing = Symbol('Crypto');
let instance: Crypto | undefined;
let subtle: SubtleCrypto | undefined;

function check(self: unknown, member: string): void {
  if (self !== instance || instance === undefined) {
    throw new TypeError(`Illegal invocation: Crypto.prototype.${member} called on a non-Crypto`);
  }
}

function isIntegerArrayType(tag: string | undefined): boolean {
  for (let i = 0; i < integerArrayTypes.length; i++) if (integerArrayTypes[i] === tag) return true;
  return false;
}

export class Crypto {
  constructor(token?: unknown) {
    if (token !== constructing) throw new TypeError('Illegal constructor');
  }

  get subtle(): SubtleCrypto {
    check(this, 'subtle');
    return subtle!;
  }

  getRandomValues<T extends ArrayBufferView>(array: T): T {
    check(this, 'getRandomValues');
    if (arguments.length < 1) {
      throw new TypeError("Failed to execute 'getRandomValues' on 'Crypto': 1 argument required, but only 0 present");
    }
    const view = toArrayBufferView(array, 'array');
    if (!isIntegerArrayType(TypedArrayPrototypeGetSymbolToStringTag(view))) {
      throw new DOMException('getRandomValues only accepts integer typed arrays', 'TypeMismatchError');
    }
    const byteLength = TypedArrayPrototypeGetByteLength(view);
    if (byteLength > MAX_RANDOM_BYTES) throw quotaExceeded(byteLength);
    const bytes = viewOfBytes(view);
    if (bytes !== undefined) fillRandom(bytes);
    return array;
  }

  randomUUID(): string {
    check(this, 'randomUUID');
    return randomUUID();
  }
}

// No constructor in the IDL: the interface object's length is 0.
finishInterface(Crypto, 'Crypto', { constructor: 0, getRandomValues: 1 });

/** Creates this global's Crypto object and its SubtleCrypto (once, at install). */
export function createCrypto(): Crypto {
  if (instance === undefined) {
    const candidate = (globalThisRef as { QuotaExceededError?: unknown }).QuotaExceededError;
    if (typeof candidate === 'function') QuotaExceededError = candidate as QuotaExceededErrorCtor;
    subtle = createSubtle();
    instance = new Crypto(constructing);
  }
  return instance;
}
