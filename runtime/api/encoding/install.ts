// Installs the Encoding Standard interfaces and HTML's atob/btoa.
import { exposeFunction, exposeInterface } from '../globals.ts';
import { atob, btoa } from './base64.ts';
import { TextDecoder } from './text-decoder.ts';
import { TextEncoder } from './text-encoder.ts';

export function install(): void {
  exposeInterface('TextEncoder', TextEncoder);
  exposeInterface('TextDecoder', TextDecoder);
  exposeFunction('atob', atob);
  exposeFunction('btoa', btoa);
}
