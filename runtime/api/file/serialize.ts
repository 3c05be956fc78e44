// Blob and File are [Serializable] (HTML structured clone): a clone shares the original's bytes,
// which are immutable, so serializing copies nothing.
import { registerSerializable } from '../messaging/structured-clone.ts';
import { blobState, createBlob, isBlob, type Blob } from './blob.ts';
import { createFile, fileLastModified, fileName, isFile, type File } from './file.ts';
import type { BlobState } from './blob.ts';

interface FileData { state: BlobState; name: string; lastModified: number }

registerSerializable(
  isFile,
  (v) => ({ state: blobState(v as File), name: fileName(v as File), lastModified: fileLastModified(v as File) }),
  (data) => {
    const d = data as FileData;
    return createFile(d.state, d.name, d.lastModified);
  },
);

registerSerializable(
  (v) => isBlob(v) && !isFile(v),
  (v) => blobState(v as Blob),
  (data) => {
    const s = data as BlobState;
    return createBlob(s.parts, s.size, s.type);
  },
);
