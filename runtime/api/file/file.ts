// File (https://w3c.github.io/FileAPI/#file-section): a Blob with a name and a last-modified time.
import { DateNow, TypeError } from '../intrinsics.ts';
import { brandCheck, dictionary, finishInterface, isObject, toDOMString, toEnum, toLongLong, toUSVString } from '../fetch/idl.ts';
import { Blob, blobInternal, convertBlobParts, processBlobParts, type BlobState } from './blob.ts';

interface FileSlots { name: string; lastModified: number }

const ENDINGS = ['transparent', 'native'] as const;

// Set by the class's static block: the only reader of the private slot outside the class.
let getFile: (f: unknown) => FileSlots | undefined;

export class File extends Blob {
  #file: FileSlots;

  constructor(fileBits: unknown, fileName: unknown, options: unknown = undefined) {
    if (fileBits === blobInternal) {
      const init = fileName as { state: BlobState; file: FileSlots };
      super(blobInternal, init.state);
      this.#file = init.file;
      return;
    }
    if (arguments.length < 2) {
      throw new TypeError(`File constructor: 2 arguments required, but only ${arguments.length} present`);
    }
    if (fileBits === undefined) throw new TypeError('File constructor: the first argument is not a sequence');
    const parts = convertBlobParts(fileBits, 'File constructor');
    const name = toUSVString(fileName);
    // FilePropertyBag members in lexicographic order: endings, lastModified, type.
    const d = dictionary(options, 'File constructor');
    let endings: 'transparent' | 'native' = 'transparent';
    let lastModified: number | undefined;
    let type = '';
    if (d !== undefined) {
      const e = d.endings;
      if (e !== undefined) endings = toEnum(e, ENDINGS, 'File constructor: endings');
      const lm = d.lastModified;
      if (lm !== undefined) lastModified = toLongLong(lm);
      const t = d.type;
      if (t !== undefined) type = toDOMString(t);
    }
    super(blobInternal, processBlobParts(parts, endings, type));
    this.#file = { name, lastModified: lastModified ?? DateNow() };
  }

  get name(): string {
    return fileSlots(this, 'name').name;
  }

  get lastModified(): number {
    return fileSlots(this, 'lastModified').lastModified;
  }

  static {
    getFile = (f: unknown) => (isObject(f) && #file in f ? (f as File).#file : undefined);
  }
}


finishInterface(File, 'File');

const fileSlots = brandCheck('File', (v) => getFile(v), '');

export function isFile(v: unknown): v is File {
  return getFile(v) !== undefined;
}

/** The File's name (caller has brand-checked). */
export function fileName(f: File): string {
  return getFile(f)!.name;
}

export function fileLastModified(f: File): number {
  return getFile(f)!.lastModified;
}

/** A new File sharing `state`'s bytes (no copy). */
export function createFile(state: BlobState, name: string, lastModified: number): File {
  return new File(blobInternal, { state, file: { name, lastModified } });
}
