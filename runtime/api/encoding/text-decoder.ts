// TextDecoder (https://encoding.spec.whatwg.org/#interface-textdecoder) and the shared
// TextDecoderCommon state used by TextDecoderStream.
import {
  ArrayBufferIsView, ArrayBufferPrototypeGetDetached, DataViewPrototypeGetBuffer, RangeError, TypedArrayPrototypeGetBuffer,
  isDataView, StringPrototypeCharCodeAt, StringPrototypeSlice, TypeError, Uint8Array,
  isArrayBuffer, viewBytes,
} from '../intrinsics.ts';
import { isSharedArrayBuffer } from '../webidl/shared-array-buffer.ts';
import { brandCheck, dictionary, toBoolean, toDOMString, webidlInterface } from '../streams/idl.ts';
import { createDecoder, type Decoder } from './decoders.ts';
import { getEncodingName } from './labels.ts';

/**
 * The bytes of an `AllowSharedBufferSource` (a view over the same memory; decoding is synchronous),
 * or undefined when `v` is not one.
 */
export function bufferSourceBytes(v: unknown): Uint8Array | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  // A detached buffer holds no bytes ("get a copy of the bytes" yields an empty sequence).
  if (ArrayBufferIsView(v)) {
    const buffer = isDataView(v) ? DataViewPrototypeGetBuffer(v as DataView) : TypedArrayPrototypeGetBuffer(v as ArrayBufferView);
    if (isArrayBuffer(buffer) && ArrayBufferPrototypeGetDetached !== undefined && ArrayBufferPrototypeGetDetached(buffer)) return new Uint8Array(0);
    return viewBytes(v as ArrayBufferView);
  }
  if (isArrayBuffer(v)) {
    if (ArrayBufferPrototypeGetDetached !== undefined && ArrayBufferPrototypeGetDetached(v)) return new Uint8Array(0);
    return new Uint8Array(v);
  }
  if (isSharedArrayBuffer(v)) return new Uint8Array(v as ArrayBuffer);
  return undefined;
}

/** State shared by TextDecoder and TextDecoderStream ("TextDecoderCommon"). */
export class DecoderState {
  encoding: string;
  fatal: boolean;
  ignoreBOM: boolean;
  decoder: Decoder | undefined = undefined;
  doNotFlush = false;
  bomSeen = false;
  constructor(label: unknown, options: unknown, what: string) {
    const labelString = label === undefined ? 'utf-8' : toDOMString(label);
    const dict = dictionary(options, `${what}: options`);
    this.fatal = dict === undefined ? false : toBoolean(dict.fatal);
    this.ignoreBOM = dict === undefined ? false : toBoolean(dict.ignoreBOM);
    const name = getEncodingName(labelString);
    if (name === undefined || name === 'replacement') {
      throw new RangeError(`${what}: the encoding label provided ('${labelString}') is invalid.`);
    }
    this.encoding = name;
  }

  /** Decodes `bytes`; `stream` keeps partial sequences for the next call. Throws TypeError when fatal. */
  decode(bytes: Uint8Array, stream: boolean): string {
    if (!this.doNotFlush || this.decoder === undefined) {
      this.decoder = createDecoder(this.encoding, this.fatal);
      this.bomSeen = false;
    }
    this.doNotFlush = stream;
    let output = this.decoder.decode(bytes, !stream);
    if (!this.ignoreBOM && !this.bomSeen && output.length > 0 &&
      (this.encoding === 'utf-8' || this.encoding === 'utf-16le' || this.encoding === 'utf-16be')) {
      this.bomSeen = true;
      if (StringPrototypeCharCodeAt(output, 0) === 0xfeff) output = StringPrototypeSlice(output, 1);
    }
    return output;
  }
}

let getState: (o: object) => DecoderState | undefined;

const stateOf = brandCheck('TextDecoder', (v) => (typeof v === 'object' && v !== null ? getState(v) : undefined));

// No reference to the class inside its body: esbuild would rename it (`TextDecoder.name`).
export class TextDecoder {
  #state: DecoderState;

  static {
    getState = (o) => (#state in o ? (o as TextDecoder).#state : undefined);
  }

  constructor(label: unknown = undefined, options: unknown = undefined) {
    this.#state = new DecoderState(label, options, "Failed to construct 'TextDecoder'");
  }

  get encoding(): string {
    return stateOf(this, 'encoding').encoding;
  }

  get fatal(): boolean {
    return stateOf(this, 'fatal').fatal;
  }

  get ignoreBOM(): boolean {
    return stateOf(this, 'ignoreBOM').ignoreBOM;
  }

  decode(input: unknown = undefined, options: unknown = undefined): string {
    const state = stateOf(this, 'decode');
    let bytes: Uint8Array;
    if (input === undefined) {
      bytes = new Uint8Array(0);
    } else {
      const b = bufferSourceBytes(input);
      if (b === undefined) {
        throw new TypeError("Failed to execute 'decode' on 'TextDecoder': The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.");
      }
      bytes = b;
    }
    const dict = dictionary(options, "Failed to execute 'decode' on 'TextDecoder': options");
    const stream = dict === undefined ? false : toBoolean(dict.stream);
    return state.decode(bytes, stream);
  }
}
webidlInterface(TextDecoder, 'TextDecoder');
