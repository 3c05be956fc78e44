// Entropy for getRandomValues and randomUUID.
//
// Random bytes come from the host's CSPRNG through a sync op, fetched POOL_SIZE bytes at a time so
// that small calls do not each cross to the host. The pool starts empty in every isolate: this
// module's top level runs while the startup snapshot is built, and anything random computed then
// would repeat in every isolate made from it. Bytes handed out are zeroed in the pool.
import {
  NumberPrototypeToString, StringPrototypeSlice, TypeError, TypedArrayPrototypeFill, TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength, TypedArrayPrototypeGetByteOffset, TypedArrayPrototypeSet, Uint8Array,
} from '../intrinsics.ts';
import { hostSync } from '../bridge/host.ts';

const POOL_SIZE = 4096;
let pool: Uint8Array | undefined;
let poolOffset = POOL_SIZE;

function fromHost(n: number): Uint8Array {
  const bytes = hostSync<Uint8Array>('crypto.randomBytes', n);
  // Defensive: the host answers exactly n bytes.
  if (TypedArrayPrototypeGetByteLength(bytes) !== n) throw new TypeError('entropy source failed');
  return bytes;
}

/** Overwrites every byte of `target` with random bytes. */
export function fillRandom(target: Uint8Array): void {
  const n = TypedArrayPrototypeGetByteLength(target);
  if (n === 0) return;
  if (n > POOL_SIZE / 4) {
    // Large requests go straight to the host instead of draining the pool.
    const bytes = fromHost(n);
    TypedArrayPrototypeSet(target, bytes);
    TypedArrayPrototypeFill(bytes, 0);
    return;
  }
  if (pool === undefined || POOL_SIZE - poolOffset < n) {
    if (pool !== undefined) TypedArrayPrototypeFill(pool, 0);
    pool = fromHost(POOL_SIZE);
    poolOffset = 0;
  }
  // A fresh view over the pool's memory: no species constructor or prototype lookup involved.
  const chunk = new Uint8Array(TypedArrayPrototypeGetBuffer(pool), TypedArrayPrototypeGetByteOffset(pool) + poolOffset, n);
  TypedArrayPrototypeSet(target, chunk);
  TypedArrayPrototypeFill(chunk, 0);
  poolOffset += n;
}

// "000102…ff", built on first use.
let hex: string | undefined;
function byteHex(b: number): string {
  return StringPrototypeSlice(hex!, b * 2, b * 2 + 2);
}

/** RFC 9562 version 4 UUID, lowercase: https://wicg.github.io/uuid/#dom-crypto-randomuuid */
export function randomUUID(): string {
  if (hex === undefined) {
    let table = '';
    for (let i = 0; i < 256; i++) table += (i < 16 ? '0' : '') + NumberPrototypeToString(i, 16);
    hex = table;
  }
  const b = new Uint8Array(16);
  fillRandom(b);
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10xx
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += byteHex(b[i]!);
  }
  return out;
}
