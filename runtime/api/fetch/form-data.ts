// FormData (https://xhr.spec.whatwg.org/#interface-formdata).
// The entry list is a flat [name, value, name, value, …] array; values are strings or Files.
// There is no HTML form element in a worker: any `form` argument other than undefined fails the
// WebIDL conversion to HTMLFormElement and throws a TypeError, as does a non-null `submitter`.
import { ArrayPrototypeSplice, DateNow, Symbol, TypeError } from '../intrinsics.ts';
import { brandCheck, defineIterableMembers, finishInterface, isObject, toUSVString } from './idl.ts';
import { isBlob, blobState, type Blob } from '../file/blob.ts';
import { createFile, fileLastModified, isFile, type File } from '../file/file.ts';

export type FormDataEntryValue = string | File;

interface FormDataState {
  /** Flat [name, value, …]. */
  list: (string | File)[];
}

const formDataInternal: unique symbol = Symbol('FormData internal') as never;

// Set by the class's static block: the only reader of the private slot outside the class.
let getState: (f: unknown) => FormDataState | undefined;

export class FormData {
  #state: FormDataState;

  constructor(form: unknown = undefined, submitter: unknown = undefined) {
    if (form === formDataInternal) {
      this.#state = { list: submitter as (string | File)[] };
      return;
    }
    if (form !== undefined) {
      throw new TypeError("FormData constructor: argument 1 is not an HTMLFormElement (there are no forms in a worker)");
    }
    if (submitter !== undefined && submitter !== null) {
      throw new TypeError('FormData constructor: argument 2 is not an HTMLElement (there are no forms in a worker)');
    }
    this.#state = { list: [] };
  }

  append(name: unknown, value: unknown, filename: unknown = undefined): void {
    const state = stateOf(this, 'append');
    const argc = arguments.length;
    if (argc < 2) throw new TypeError(`FormData.append: 2 arguments required, but only ${argc} present`);
    const n = toUSVString(name);
    appendEntry(state, n, value, filename, argc, 'FormData.append');
  }

  delete(name: unknown): void {
    const state = stateOf(this, 'delete');
    if (arguments.length < 1) throw new TypeError('FormData.delete: 1 argument required, but only 0 present');
    const n = toUSVString(name);
    const list = state.list;
    let w = 0;
    for (let r = 0; r < list.length; r += 2) {
      if (list[r] !== n) {
        if (w !== r) {
          list[w] = list[r]!;
          list[w + 1] = list[r + 1]!;
        }
        w += 2;
      }
    }
    list.length = w;
  }

  get(name: unknown): FormDataEntryValue | null {
    const state = stateOf(this, 'get');
    if (arguments.length < 1) throw new TypeError('FormData.get: 1 argument required, but only 0 present');
    const n = toUSVString(name);
    const list = state.list;
    for (let i = 0; i < list.length; i += 2) if (list[i] === n) return list[i + 1]!;
    return null;
  }

  getAll(name: unknown): FormDataEntryValue[] {
    const state = stateOf(this, 'getAll');
    if (arguments.length < 1) throw new TypeError('FormData.getAll: 1 argument required, but only 0 present');
    const n = toUSVString(name);
    const list = state.list;
    const out: FormDataEntryValue[] = [];
    let k = 0;
    for (let i = 0; i < list.length; i += 2) if (list[i] === n) out[k++] = list[i + 1]!;
    return out;
  }

  has(name: unknown): boolean {
    const state = stateOf(this, 'has');
    if (arguments.length < 1) throw new TypeError('FormData.has: 1 argument required, but only 0 present');
    const n = toUSVString(name);
    const list = state.list;
    for (let i = 0; i < list.length; i += 2) if (list[i] === n) return true;
    return false;
  }

  set(name: unknown, value: unknown, filename: unknown = undefined): void {
    const state = stateOf(this, 'set');
    const argc = arguments.length;
    if (argc < 2) throw new TypeError(`FormData.set: 2 arguments required, but only ${argc} present`);
    const n = toUSVString(name);
    const v = convertEntryValue(n, value, filename, argc, 'FormData.set');
    const list = state.list;
    let first = -1;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === n) {
        first = i;
        break;
      }
    }
    if (first === -1) {
      const k = list.length;
      list[k] = n;
      list[k + 1] = v;
      return;
    }
    list[first + 1] = v;
    let i = first + 2;
    while (i < list.length) {
      if (list[i] === n) ArrayPrototypeSplice(list, i, 2);
      else i += 2;
    }
  }

  static {
    getState = (f: unknown) => (isObject(f) && #state in f ? (f as FormData).#state : undefined);
  }
}


const stateOf = brandCheck('FormData', (v) => getState(v), '');

finishInterface(FormData, 'FormData');
defineIterableMembers(FormData, 'FormData', stateOf, (s) => s.list);

/**
 * Overload resolution and conversion for append/set's value (and filename), then "create an
 * entry": Blobs become Files named "blob", a filename argument renames.
 */
function convertEntryValue(_name: string, value: unknown, filename: unknown, argc: number, what: string): FormDataEntryValue {
  if (argc >= 3) {
    if (!isBlob(value)) throw new TypeError(`${what}: argument 2 is not a Blob`);
    // An optional argument passed as undefined is "missing".
    if (filename === undefined) return toEntryFile(value, undefined, false);
    return toEntryFile(value, toUSVString(filename), true);
  }
  if (isBlob(value)) return toEntryFile(value, undefined, false);
  return toUSVString(value);
}

function toEntryFile(value: Blob, filename: string | undefined, hasFilename: boolean): File {
  if (isFile(value)) {
    if (!hasFilename) return value;
    return createFile(blobState(value), filename!, fileLastModified(value));
  }
  return createFile(blobState(value), hasFilename ? filename! : 'blob', DateNow());
}

function appendEntry(state: FormDataState, name: string, value: unknown, filename: unknown, argc: number, what: string): void {
  const v = convertEntryValue(name, value, filename, argc, what);
  const list = state.list;
  const k = list.length;
  list[k] = name;
  list[k + 1] = v;
}

// ---------------------------------------------------------------------------------------------
// Runtime-facing helpers

export function isFormData(v: unknown): v is FormData {
  return getState(v) !== undefined;
}

/** The live entry list (flat) of a brand-checked FormData. */
export function formDataEntries(f: FormData): readonly (string | File)[] {
  return getState(f)!.list;
}

/** A FormData over a flat entry list the caller built. */
export function createFormData(list: (string | File)[]): FormData {
  return new FormData(formDataInternal, list);
}
