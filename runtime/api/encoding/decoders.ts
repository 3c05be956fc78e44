// Decoders of the Encoding Standard (https://encoding.spec.whatwg.org/#decoders).
//
// UTF-8, UTF-16BE/LE, x-user-defined and replacement decode here, in the isolate. Legacy
// single-byte encodings decode here too, with their 128-entry table fetched once per isolate from
// the host; legacy multi-byte encodings (gbk/gb18030, big5, euc-jp, iso-2022-jp, shift_jis, euc-kr)
// are decoded by the host (Node's ICU), statefully when streaming. No index table is in the prelude.
import {
  FinalizationRegistry, Map, MapPrototypeGet, MapPrototypeSet, ReflectApply, StringFromCharCode,
  StringPrototypeCharCodeAt, TypeError, TypedArrayPrototypeGetBuffer, TypedArrayPrototypeGetByteOffset, TypedArrayPrototypeGetLength,
  Uint8Array,
  uncurryThis,
} from '../intrinsics.ts';
import { hostSend, hostSync } from '../bridge/host.ts';

/** One decoder instance: `decode` consumes bytes; `flush` marks the end of the queue. */
export interface Decoder {
  decode(bytes: Uint8Array, flush: boolean): string;
}

function decodeError(): never {
  throw new TypeError('The encoded data was not valid for the encoding.');
}

/** Accumulates UTF-16 code units and turns them into a string in chunks. */
class Output {
  result = '';
  units: number[] = [];
  n = 0;
  push(cu: number): void {
    this.units[this.n++] = cu;
    if (this.n === 8192) this.flushUnits();
  }
  pushCodePoint(cp: number): void {
    if (cp > 0xffff) {
      cp -= 0x10000;
      this.push(0xd800 + (cp >> 10));
      this.push(0xdc00 + (cp & 0x3ff));
    } else {
      this.push(cp);
    }
  }
  flushUnits(): void {
    this.result += ReflectApply(StringFromCharCode, undefined, this.units) as string;
    this.units = [];
    this.n = 0;
  }
  finish(): string {
    if (this.n > 0) this.flushUnits();
    return this.result;
  }
}

class Utf8Decoder implements Decoder {
  fatal: boolean;
  codePoint = 0;
  bytesSeen = 0;
  bytesNeeded = 0;
  lower = 0x80;
  upper = 0xbf;
  constructor(fatal: boolean) {
    this.fatal = fatal;
  }
  decode(bytes: Uint8Array, flush: boolean): string {
    const out = new Output();
    const n = TypedArrayPrototypeGetLength(bytes);
    let i = 0;
    while (i < n) {
      let b = bytes[i]!;
      if (this.bytesNeeded === 0 && b < 0x80) {
        // ASCII run: copy straight into the output chunk.
        let units = out.units;
        let u = out.n;
        do {
          units[u++] = b;
          if (u === 8192) {
            out.n = u;
            out.flushUnits();
            units = out.units;
            u = 0;
          }
          i++;
        } while (i < n && (b = bytes[i]!) < 0x80);
        out.n = u;
        continue;
      }
      if (this.bytesNeeded === 0) {
        i++;
        if (b >= 0xc2 && b <= 0xdf) {
          this.bytesNeeded = 1;
          this.codePoint = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) this.lower = 0xa0;
          else if (b === 0xed) this.upper = 0x9f;
          this.bytesNeeded = 2;
          this.codePoint = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) this.lower = 0x90;
          else if (b === 0xf4) this.upper = 0x8f;
          this.bytesNeeded = 3;
          this.codePoint = b & 0x7;
        } else {
          if (this.fatal) decodeError();
          out.push(0xfffd);
        }
        continue;
      }
      if (b < this.lower || b > this.upper) {
        // Not a continuation: report an error and reprocess this byte (not consumed).
        this.codePoint = this.bytesNeeded = this.bytesSeen = 0;
        this.lower = 0x80;
        this.upper = 0xbf;
        if (this.fatal) decodeError();
        out.push(0xfffd);
        continue;
      }
      i++;
      this.lower = 0x80;
      this.upper = 0xbf;
      this.codePoint = (this.codePoint << 6) | (b & 0x3f);
      if (++this.bytesSeen === this.bytesNeeded) {
        out.pushCodePoint(this.codePoint);
        this.codePoint = this.bytesNeeded = this.bytesSeen = 0;
      }
    }
    if (flush && this.bytesNeeded !== 0) {
      this.codePoint = this.bytesNeeded = this.bytesSeen = 0;
      this.lower = 0x80;
      this.upper = 0xbf;
      if (this.fatal) decodeError();
      out.push(0xfffd);
    }
    return out.finish();
  }
}

class Utf16Decoder implements Decoder {
  fatal: boolean;
  bigEndian: boolean;
  leadByte = -1;
  leadSurrogate = -1;
  constructor(fatal: boolean, bigEndian: boolean) {
    this.fatal = fatal;
    this.bigEndian = bigEndian;
  }
  decode(bytes: Uint8Array, flush: boolean): string {
    const out = new Output();
    const n = TypedArrayPrototypeGetLength(bytes);
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      if (this.leadByte === -1) {
        this.leadByte = b;
        continue;
      }
      const cu = this.bigEndian ? (this.leadByte << 8) | b : (b << 8) | this.leadByte;
      this.leadByte = -1;
      if (this.leadSurrogate !== -1) {
        const lead = this.leadSurrogate;
        this.leadSurrogate = -1;
        if (cu >= 0xdc00 && cu <= 0xdfff) {
          out.pushCodePoint(0x10000 + ((lead - 0xd800) << 10) + (cu - 0xdc00));
          continue;
        }
        // The code unit is reprocessed after the error, as if its bytes were prepended.
        if (this.fatal) decodeError();
        out.push(0xfffd);
      }
      if (cu >= 0xd800 && cu <= 0xdbff) {
        this.leadSurrogate = cu;
      } else if (cu >= 0xdc00 && cu <= 0xdfff) {
        if (this.fatal) decodeError();
        out.push(0xfffd);
      } else {
        out.push(cu);
      }
    }
    if (flush && (this.leadByte !== -1 || this.leadSurrogate !== -1)) {
      this.leadByte = this.leadSurrogate = -1;
      if (this.fatal) decodeError();
      out.push(0xfffd);
    }
    return out.finish();
  }
}

class XUserDefinedDecoder implements Decoder {
  decode(bytes: Uint8Array): string {
    const out = new Output();
    const n = TypedArrayPrototypeGetLength(bytes);
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      out.push(b < 0x80 ? b : 0xf780 + b - 0x80);
    }
    return out.finish();
  }
}

class ReplacementDecoder implements Decoder {
  fatal: boolean;
  errorReturned = false;
  constructor(fatal: boolean) {
    this.fatal = fatal;
  }
  decode(bytes: Uint8Array): string {
    if (TypedArrayPrototypeGetLength(bytes) === 0 || this.errorReturned) return '';
    this.errorReturned = true;
    if (this.fatal) decodeError();
    return '\ufffd';
  }
}

// Single-byte tables: 128 code units for bytes 0x80–0xFF (U+FFFD where the index has no mapping).
const singleByteTables = new Map<string, string>();

function singleByteTable(name: string): string {
  let table = MapPrototypeGet(singleByteTables, name);
  if (table === undefined) {
    table = hostSync<string>('encoding.singleByteTable', name);
    MapPrototypeSet(singleByteTables, name, table);
  }
  return table;
}

class SingleByteDecoder implements Decoder {
  fatal: boolean;
  table: string;
  constructor(fatal: boolean, table: string) {
    this.fatal = fatal;
    this.table = table;
  }
  decode(bytes: Uint8Array): string {
    const out = new Output();
    const n = TypedArrayPrototypeGetLength(bytes);
    const table = this.table;
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      if (b < 0x80) {
        out.push(b);
        continue;
      }
      const cu = StringPrototypeCharCodeAt(table, b - 0x80);
      if (cu === 0xfffd && this.fatal) decodeError();
      out.push(cu);
    }
    return out.finish();
  }
}

// Host-side streaming decoders are released when the stream is flushed, and when the decoder
// object is collected (FinalizationRegistry) or the isolate is disposed (host side).
const FinalizationRegistryPrototypeRegister = uncurryThis(FinalizationRegistry.prototype.register);
const FinalizationRegistryPrototypeUnregister = uncurryThis(FinalizationRegistry.prototype.unregister);
const hostDecoderRegistry = new FinalizationRegistry<number>((id) => hostSend('encoding.close', id));

class HostDecoder implements Decoder {
  name: string;
  fatal: boolean;
  handle = 0;
  constructor(name: string, fatal: boolean) {
    this.name = name;
    this.fatal = fatal;
  }
  decode(bytes: Uint8Array, flush: boolean): string {
    if (this.handle === 0) {
      if (flush) return hostSync<string>('encoding.decode', this.name, bytes, this.fatal);
      this.handle = hostSync<number>('encoding.open', this.name, this.fatal);
      FinalizationRegistryPrototypeRegister(hostDecoderRegistry, this, this.handle, this);
    }
    const handle = this.handle;
    if (flush) {
      this.handle = 0;
      FinalizationRegistryPrototypeUnregister(hostDecoderRegistry, this);
    }
    try {
      return hostSync<string>('encoding.decodeStream', handle, bytes, flush);
    } catch (e) {
      // The host dropped its decoder on the error; a later call starts afresh.
      if (this.handle !== 0) {
        this.handle = 0;
        FinalizationRegistryPrototypeUnregister(hostDecoderRegistry, this);
      }
      throw e;
    }
  }
}

const MULTI_BYTE: Record<string, true> = {
  __proto__: null, gbk: true, gb18030: true, big5: true, 'euc-jp': true, 'iso-2022-jp': true, shift_jis: true, 'euc-kr': true,
} as unknown as Record<string, true>;

/** A new decoder for the encoding `name` (an encoding name, not a label). */
export function createDecoder(name: string, fatal: boolean): Decoder {
  switch (name) {
    case 'utf-8': return new Utf8Decoder(fatal);
    case 'utf-16le': return new Utf16Decoder(fatal, false);
    case 'utf-16be': return new Utf16Decoder(fatal, true);
    case 'x-user-defined': return new XUserDefinedDecoder();
    case 'replacement': return new ReplacementDecoder(fatal);
  }
  if (MULTI_BYTE[name] === true) return new HostDecoder(name, fatal);
  return new SingleByteDecoder(fatal, singleByteTable(name));
}

/** Encoding Standard "UTF-8 decode without BOM or fail": the string, or null on invalid input. */
export function utf8DecodeWithoutBOMOrFail(bytes: Uint8Array): string | null {
  try {
    return new Utf8Decoder(true).decode(bytes, true);
  } catch {
    return null;
  }
}

/** Encoding Standard "UTF-8 decode without BOM". */
export function utf8DecodeWithoutBOM(bytes: Uint8Array): string {
  return new Utf8Decoder(false).decode(bytes, true);
}

/** Encoding Standard "UTF-8 decode": strips a leading UTF-8 BOM, replaces errors with U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  if (TypedArrayPrototypeGetLength(bytes) >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return new Utf8Decoder(false).decode(new Uint8Array(TypedArrayPrototypeGetBuffer(bytes), TypedArrayPrototypeGetByteOffset(bytes) + 3, TypedArrayPrototypeGetLength(bytes) - 3), true);
  }
  return new Utf8Decoder(false).decode(bytes, true);
}
