// TextEncoder (https://encoding.spec.whatwg.org/#interface-textencoder).
import { String, TypeError, TypedArrayPrototypeGetLength, TypedArrayPrototypeGetSymbolToStringTag } from '../intrinsics.ts';
import { requireArgs, webidlInterface } from '../streams/idl.ts';
import { utf8Encode, utf8EncodeInto } from './utf8.ts';

export class TextEncoder {
  #brand = true;

  static #check(self: unknown, member: string): void {
    if (typeof self !== 'object' || self === null || !(#brand in self)) {
      throw new TypeError(`Illegal invocation: TextEncoder.prototype.${member} called on an object that is not a TextEncoder.`);
    }
  }

  get encoding(): string {
    TextEncoder.#check(this, 'encoding');
    return 'utf-8';
  }

  encode(input: unknown = ''): Uint8Array {
    TextEncoder.#check(this, 'encode');
    return utf8Encode(String(input));
  }

  encodeInto(source: unknown, destination: unknown): { read: number; written: number } {
    TextEncoder.#check(this, 'encodeInto');
    requireArgs(arguments.length, 2, "TextEncoder.encodeInto");
    const s = String(source);
    if (TypedArrayPrototypeGetSymbolToStringTag(destination) !== 'Uint8Array') {
      throw new TypeError("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.");
    }
    const dest = destination as Uint8Array;
    const result = { read: 0, written: 0 };
    utf8EncodeInto(s, dest, TypedArrayPrototypeGetLength(dest), result);
    return result;
  }
}
webidlInterface(TextEncoder, 'TextEncoder');
