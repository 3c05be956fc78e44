// TextEncoderStream and TextDecoderStream (https://encoding.spec.whatwg.org/#interface-textencoderstream),
// TransformStreams driven by the runtime's encoder and decoders.
import { StringPrototypeCharCodeAt, StringPrototypeSlice, TypeError, TypedArrayPrototypeGetLength, Uint8Array } from '../intrinsics.ts';
import { brandCheck, toDOMString, webidlInterface } from '../streams/idl.ts';
import { createTransform, type ReadableStream, type WritableStream } from '../streams/index.ts';
import { DecoderState, bufferSourceBytes } from './text-decoder.ts';
import { utf8Encode } from './utf8.ts';

interface Pair {
  readable: ReadableStream;
  writable: WritableStream;
}

let getEncoderPair: (o: object) => Pair | undefined;
let getDecoderSlots: (o: object) => { state: DecoderState; pair: Pair } | undefined;

const encoderPair = brandCheck('TextEncoderStream', (v) => (typeof v === 'object' && v !== null ? getEncoderPair(v) : undefined));
const decoderSlots = brandCheck('TextDecoderStream', (v) => (typeof v === 'object' && v !== null ? getDecoderSlots(v) : undefined));

// Classes never reference themselves in their bodies: esbuild would rename them (`.name`).
export class TextEncoderStream {
  #pair: Pair;

  constructor() {
    let leadingSurrogate = '';
    this.#pair = createTransform({
      transform(chunk, controller) {
        let s = leadingSurrogate + toDOMString(chunk);
        leadingSurrogate = '';
        const n = s.length;
        if (n > 0) {
          const last = StringPrototypeCharCodeAt(s, n - 1);
          if (last >= 0xd800 && last <= 0xdbff) {
            leadingSurrogate = StringPrototypeSlice(s, n - 1);
            s = StringPrototypeSlice(s, 0, n - 1);
          }
        }
        const bytes = utf8Encode(s);
        if (TypedArrayPrototypeGetLength(bytes) > 0) controller.enqueue(bytes);
      },
      flush(controller) {
        if (leadingSurrogate !== '') {
          const replacement = new Uint8Array(3);
          replacement[0] = 0xef;
          replacement[1] = 0xbf;
          replacement[2] = 0xbd;
          controller.enqueue(replacement);
        }
      },
    });
  }

  static {
    getEncoderPair = (o) => (#pair in o ? (o as TextEncoderStream).#pair : undefined);
  }

  get encoding(): string {
    encoderPair(this, 'encoding');
    return 'utf-8';
  }

  get readable(): ReadableStream {
    return encoderPair(this, 'readable').readable;
  }

  get writable(): WritableStream {
    return encoderPair(this, 'writable').writable;
  }
}

export class TextDecoderStream {
  #state: DecoderState;
  #pair: Pair;

  constructor(label: unknown = undefined, options: unknown = undefined) {
    const state = new DecoderState(label, options, "Failed to construct 'TextDecoderStream'");
    this.#state = state;
    this.#pair = createTransform({
      transform(chunk, controller) {
        const bytes = bufferSourceBytes(chunk);
        if (bytes === undefined) throw new TypeError('TextDecoderStream: the chunk is not an ArrayBuffer or ArrayBufferView.');
        const output = state.decode(bytes, true);
        if (output !== '') controller.enqueue(output);
      },
      flush(controller) {
        const output = state.decode(new Uint8Array(0), false);
        if (output !== '') controller.enqueue(output);
      },
    });
  }

  static {
    getDecoderSlots = (o) => (#state in o ? { state: (o as TextDecoderStream).#state, pair: (o as TextDecoderStream).#pair } : undefined);
  }

  get encoding(): string {
    return decoderSlots(this, 'encoding').state.encoding;
  }

  get fatal(): boolean {
    return decoderSlots(this, 'fatal').state.fatal;
  }

  get ignoreBOM(): boolean {
    return decoderSlots(this, 'ignoreBOM').state.ignoreBOM;
  }

  get readable(): ReadableStream {
    return decoderSlots(this, 'readable').pair.readable;
  }

  get writable(): WritableStream {
    return decoderSlots(this, 'writable').pair.writable;
  }
}

webidlInterface(TextEncoderStream, 'TextEncoderStream');
webidlInterface(TextDecoderStream, 'TextDecoderStream');
