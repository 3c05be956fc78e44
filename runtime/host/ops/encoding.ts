// Host ops for the Encoding area: legacy encodings decoded with Node's full-ICU TextDecoder, so no
// index tables ship in the prelude.
// - encoding.singleByteTable(name): 128 code units for bytes 0x80–0xFF of a single-byte encoding
//   (U+FFFD where unmapped); the isolate caches it and decodes itself.
// - encoding.decode(name, bytes, fatal): one-shot decode of a multi-byte encoding.
// - encoding.open(name, fatal) → handle; encoding.decodeStream(handle, bytes, flush) → string;
//   encoding.close(handle) (send): stateful streaming decoders, dropped on flush, on error, on
//   close, and with the isolate.
// Big5 runs the Encoding Standard's big5 decoder here, with ICU only as the index: ICU's converter
// silently drops bytes the standard turns into U+FFFD (unmapped pairs, 0x80, 0xFF), and ignores
// `fatal` for them.
import { TextDecoder } from 'node:util';
import type { OpContext, OpModule } from './types.ts';

const SINGLE_BYTE = new Set([
  'ibm866', 'iso-8859-2', 'iso-8859-3', 'iso-8859-4', 'iso-8859-5', 'iso-8859-6', 'iso-8859-7', 'iso-8859-8',
  'iso-8859-8-i', 'iso-8859-10', 'iso-8859-13', 'iso-8859-14', 'iso-8859-15', 'iso-8859-16', 'koi8-r', 'koi8-u',
  'macintosh', 'windows-874', 'windows-1250', 'windows-1251', 'windows-1252', 'windows-1253', 'windows-1254',
  'windows-1255', 'windows-1256', 'windows-1257', 'windows-1258', 'x-mac-cyrillic',
]);

// WHATWG's gbk decoder is the gb18030 decoder.
const MULTI_BYTE = new Map<string, string>([
  ['gbk', 'gb18030'], ['gb18030', 'gb18030'], ['big5', 'big5'], ['euc-jp', 'euc-jp'], ['iso-2022-jp', 'iso-2022-jp'],
  ['shift_jis', 'shift_jis'], ['euc-kr', 'euc-kr'],
]);

/** Most streaming decoders one isolate may hold open at once. */
const MAX_OPEN_DECODERS = 1024;

const tableCache = new Map<string, string>();

function singleByteTable(name: unknown): string {
  if (typeof name !== 'string' || !SINGLE_BYTE.has(name)) throw new RangeError(`unsupported single-byte encoding ${String(name)}`);
  let table = tableCache.get(name);
  if (table === undefined) {
    const bytes = new Uint8Array(128);
    for (let i = 0; i < 128; i++) bytes[i] = 0x80 + i;
    table = new TextDecoder(name).decode(bytes);
    if (table.length !== 128) throw new Error(`single-byte table for ${name} has ${table.length} entries`);
    tableCache.set(name, table);
  }
  return table;
}

function icuName(name: unknown): string {
  const icu = typeof name === 'string' ? MULTI_BYTE.get(name) : undefined;
  if (icu === undefined) throw new RangeError(`unsupported multi-byte encoding ${String(name)}`);
  return icu;
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new TypeError('expected bytes');
}

const decodeFailure = () => new TypeError('The encoded data was not valid for the encoding.');

/** What the ops need of a decoder: Node's TextDecoder, or Big5Decoder. */
interface StreamDecoder {
  decode(bytes: Uint8Array, options: { stream: boolean }): string;
}

// Index Big5 through ICU: a pointer's code point is what ICU decodes the byte pair alone to, unless
// that is U+FFFD or a private-use code point (ICU's Big5 fills the pairs the standard leaves
// unmapped with the Private Use Area; index Big5 has none). Cached per process; at most 19,782 pairs.
const big5Index = new Map<number, string | null>();
let big5Icu: TextDecoder | undefined;

/** The code point(s) for Big5 `pointer` (lead and trail already validated), or null. */
function big5CodePoint(pointer: number, lead: number, byte: number): string | null {
  // The four pointers the standard maps to two code points.
  switch (pointer) {
    case 1133: return '\u00CA\u0304';
    case 1135: return '\u00CA\u030C';
    case 1164: return '\u00EA\u0304';
    case 1166: return '\u00EA\u030C';
  }
  let cp = big5Index.get(pointer);
  if (cp === undefined) {
    big5Icu ??= new TextDecoder('big5', { ignoreBOM: true });
    const text = big5Icu.decode(new Uint8Array([lead, byte]));
    const c = text.codePointAt(0);
    cp = c === undefined || c === 0xfffd || (c >= 0xe000 && c <= 0xf8ff) || c >= 0xf0000 ? null : text;
    big5Index.set(pointer, cp);
  }
  return cp;
}

/** The Encoding Standard's big5 decoder (https://encoding.spec.whatwg.org/#big5-decoder). */
class Big5Decoder implements StreamDecoder {
  #lead = 0;
  readonly #fatal: boolean;

  constructor(fatal: boolean) {
    this.#fatal = fatal;
  }

  decode(bytes: Uint8Array, options: { stream: boolean }): string {
    let out = '';
    const error = (): void => {
      if (this.#fatal) {
        this.#lead = 0;
        throw decodeFailure();
      }
      out += '\uFFFD';
    };
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (this.#lead !== 0) {
        const lead = this.#lead;
        this.#lead = 0;
        const offset = byte < 0x7f ? 0x40 : 0x62;
        const pointer = (byte >= 0x40 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xfe)
          ? (lead - 0x81) * 157 + (byte - offset) : null;
        const cp = pointer === null ? null : big5CodePoint(pointer, lead, byte);
        if (cp !== null) {
          out += cp;
          continue;
        }
        error();
        // An ASCII byte is restored to the stream: it is decoded on its own next.
        if (byte < 0x80) i--;
        continue;
      }
      if (byte < 0x80) out += String.fromCharCode(byte);
      else if (byte >= 0x81 && byte <= 0xfe) this.#lead = byte;
      else error();
    }
    if (!options.stream && this.#lead !== 0) {
      this.#lead = 0;
      error();
    }
    return out;
  }
}

function createDecoder(name: unknown, fatal: unknown): StreamDecoder {
  const icu = icuName(name);
  if (icu === 'big5') return new Big5Decoder(fatal === true);
  // ignoreBOM: the Encoding Standard strips BOMs only for UTF-8 and UTF-16 in TextDecoder.
  return new TextDecoder(icu, { fatal: fatal === true, ignoreBOM: true });
}

function decodeWith(decoder: StreamDecoder, bytes: Uint8Array, stream: boolean): string {
  try {
    return decoder.decode(bytes, { stream });
  } catch (e) {
    // Node reports fatal errors as TypeError (ERR_ENCODING_INVALID_ENCODED_DATA); keep the name only.
    if (e instanceof TypeError) throw decodeFailure();
    throw e;
  }
}

interface StreamState {
  decoders: Map<number, StreamDecoder>;
  nextId: number;
}

const STATE = Symbol('encoding.decoders');

function streams(ctx: OpContext): StreamState {
  return ctx.state(STATE, () => {
    const state: StreamState = { decoders: new Map(), nextId: 1 };
    ctx.onDispose(() => state.decoders.clear());
    return state;
  });
}

export const encodingOps: OpModule = {
  sync: {
    'encoding.singleByteTable': (_ctx, name: unknown) => singleByteTable(name),
    'encoding.decode': (_ctx, name: unknown, bytes: unknown, fatal: unknown) =>
      decodeWith(createDecoder(name, fatal), toBytes(bytes), false),
    'encoding.open': (ctx, name: unknown, fatal: unknown) => {
      const state = streams(ctx);
      if (state.decoders.size >= MAX_OPEN_DECODERS) throw new RangeError('too many streaming decoders open in this isolate');
      const decoder = createDecoder(name, fatal);
      const id = state.nextId++;
      state.decoders.set(id, decoder);
      return id;
    },
    'encoding.decodeStream': (ctx, id: unknown, bytes: unknown, flush: unknown) => {
      const state = streams(ctx);
      const decoder = state.decoders.get(id as number);
      if (decoder === undefined) throw new TypeError('decoder is closed');
      try {
        const out = decodeWith(decoder, toBytes(bytes), flush !== true);
        if (flush === true) state.decoders.delete(id as number);
        return out;
      } catch (e) {
        state.decoders.delete(id as number);
        throw e;
      }
    },
  },
  send: {
    'encoding.close': (ctx, id: unknown) => {
      streams(ctx).decoders.delete(id as number);
    },
  },
};
