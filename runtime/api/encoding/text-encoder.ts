// TextEncoder (https://encoding.spec.whatwg.org/#interface-textencoder).
import { TypeError, TypedArrayPrototypeGetLength, TypedArrayPrototypeGetSymbolToStringTag } from '../intrinsics.ts';
import { requireArgs, toDOMString, webidlInterface } from '../streams/idl.ts';
import { utf8Encode, utf8EncodeInto } from './utf8.ts';

let hasBrand: (o: object) => boolean;

function check(self: unknown, member: string): void {
  if (typeof self !== 'object' || self === null || !hasBrand(self)) {
    throw new TypeError(`Illegal invocation: TextEncoder.prototype.${member} called on an object that is not a TextEncoder.`);
  }
}

// No reference to the class inside its body: esbuild would rename it (`TextEncoder.name`).
export class TextEncoder {
  #brand = true;

  static {
    hasBrand = (o) => #brand in o;
  }

  get encoding(): string {
    check(this, 'encoding');
    return 'utf-8';
  }

  encode(input: unknown = ''): Uint8Array {
    check(this, 'encode');
    return utf8Encode(toDOMString(input));
  }

  encodeInto(source: unknown, destination: unknown): { read: number; written: number } {
    check(this, 'encodeInto');
    requireArgs(arguments.length, 2, "TextEncoder.encodeInto");
    const s = toDOMString(source);
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
