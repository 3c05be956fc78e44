// Host ops for the Encoding area: legacy encodings decoded with Node's full-ICU TextDecoder, so no
// index tables ship in the prelude.
// - encoding.singleByteTable(name): 128 code units for bytes 0x80–0xFF of a single-byte encoding
//   (U+FFFD where unmapped); the isolate caches it and decodes itself.
// - encoding.decode(name, bytes, fatal): one-shot decode of a multi-byte encoding.
// - encoding.open(name, fatal) → handle; encoding.decodeStream(handle, bytes, flush) → string;
//   encoding.close(handle) (send): stateful streaming decoders, dropped on flush, on error, on
//   close, and with the isolate.
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

function decodeWith(decoder: TextDecoder, bytes: Uint8Array, stream: boolean): string {
  try {
    return decoder.decode(bytes, { stream });
  } catch (e) {
    // Node reports fatal errors as TypeError (ERR_ENCODING_INVALID_ENCODED_DATA); keep the name only.
    if (e instanceof TypeError) throw decodeFailure();
    throw e;
  }
}

interface StreamState {
  decoders: Map<number, TextDecoder>;
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
      // ignoreBOM: the Encoding Standard strips BOMs only for UTF-8 and UTF-16 in TextDecoder.
      decodeWith(new TextDecoder(icuName(name), { fatal: fatal === true, ignoreBOM: true }), toBytes(bytes), false),
    'encoding.open': (ctx, name: unknown, fatal: unknown) => {
      const state = streams(ctx);
      if (state.decoders.size >= MAX_OPEN_DECODERS) throw new RangeError('too many streaming decoders open in this isolate');
      const decoder = new TextDecoder(icuName(name), { fatal: fatal === true, ignoreBOM: true });
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
