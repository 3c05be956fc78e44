// CompressionStream / DecompressionStream on the global (host zlib through ops; see ./compression-stream.ts).
import { exposeInterface } from '../globals.ts';
import { CompressionStream, DecompressionStream } from './compression-stream.ts';

export function install(): void {
  exposeInterface('CompressionStream', CompressionStream);
  exposeInterface('DecompressionStream', DecompressionStream);
}
