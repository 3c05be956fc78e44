// Installs the Streams Standard interfaces.
import { exposeInterface } from '../globals.ts';
import {
  ByteLengthQueuingStrategy, CountQueuingStrategy, ReadableByteStreamController, ReadableStream,
  ReadableStreamBYOBReader, ReadableStreamBYOBRequest, ReadableStreamDefaultController, ReadableStreamDefaultReader,
  TransformStream, TransformStreamDefaultController, WritableStream, WritableStreamDefaultController,
  WritableStreamDefaultWriter,
} from './index.ts';

export function install(): void {
  exposeInterface('ReadableStream', ReadableStream);
  exposeInterface('ReadableStreamDefaultReader', ReadableStreamDefaultReader);
  exposeInterface('ReadableStreamBYOBReader', ReadableStreamBYOBReader);
  exposeInterface('ReadableStreamBYOBRequest', ReadableStreamBYOBRequest);
  exposeInterface('ReadableStreamDefaultController', ReadableStreamDefaultController);
  exposeInterface('ReadableByteStreamController', ReadableByteStreamController);
  exposeInterface('WritableStream', WritableStream);
  exposeInterface('WritableStreamDefaultWriter', WritableStreamDefaultWriter);
  exposeInterface('WritableStreamDefaultController', WritableStreamDefaultController);
  exposeInterface('TransformStream', TransformStream);
  exposeInterface('TransformStreamDefaultController', TransformStreamDefaultController);
  exposeInterface('ByteLengthQueuingStrategy', ByteLengthQueuingStrategy);
  exposeInterface('CountQueuingStrategy', CountQueuingStrategy);
}
