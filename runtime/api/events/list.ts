// Arrays the runtime keeps to itself. They have no prototype, so tenant code that defines index
// setters or a `constructor`/@@species on Array.prototype or Object.prototype can neither intercept
// writes into them (push, index stores) nor receive their elements through ArraySpeciesCreate
// (slice, splice). Copies made with ArrayPrototypeSlice from them are ordinary arrays.
import { ObjectSetPrototypeOf } from '../intrinsics.ts';

export function newList<T>(): T[] {
  return ObjectSetPrototypeOf([], null) as T[];
}

/** A one-element internal list. */
export function listOf<T>(v: T): T[] {
  const l = newList<T>();
  l[0] = v;
  return l;
}
