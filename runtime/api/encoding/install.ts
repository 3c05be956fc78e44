// Installs the Encoding Standard interfaces and HTML's atob/btoa.
import { exposeFunction, exposeInterface } from '../globals.ts';
import { atob, btoa } from './base64.ts';
import { TextDecoderStream, TextEncoderStream } from './encoding-streams.ts';
import { TextDecoder } from './text-decoder.ts';
import { TextEncoder } from './text-encoder.ts';

export function install(): void {
  exposeInterface('TextEncoder', TextEncoder);
  exposeInterface('TextDecoder', TextDecoder);
  exposeInterface('TextEncoderStream', TextEncoderStream);
  exposeInterface('TextDecoderStream', TextDecoderStream);
  exposeFunction('atob', atob);
  exposeFunction('btoa', btoa);
}
