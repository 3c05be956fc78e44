// WebIDL DOMException: https://webidl.spec.whatwg.org/#idl-DOMException
// An Error subclass of this realm with `name`, `message` and the legacy `code` table.
import {
  Error, ObjectDefineProperty, ReflectGet, ObjectFreeze, ObjectHasOwn, ObjectSetPrototypeOf,
  String, SymbolToStringTag, TypeError, WeakMap, WeakMapPrototypeGet, WeakMapPrototypeSet,
} from '../intrinsics.ts';

// Legacy code for each historical name (WebIDL "DOMException names" table); others have code 0.
const legacyCodes: Record<string, number> = ObjectFreeze({
  __proto__: null,
  IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
  NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InUseAttributeError: 10,
  InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
  InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
  URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24,
  DataCloneError: 25,
} as unknown as Record<string, number>);

const constants: [string, number][] = [
  ['INDEX_SIZE_ERR', 1], ['DOMSTRING_SIZE_ERR', 2], ['HIERARCHY_REQUEST_ERR', 3], ['WRONG_DOCUMENT_ERR', 4],
  ['INVALID_CHARACTER_ERR', 5], ['NO_DATA_ALLOWED_ERR', 6], ['NO_MODIFICATION_ALLOWED_ERR', 7],
  ['NOT_FOUND_ERR', 8], ['NOT_SUPPORTED_ERR', 9], ['INUSE_ATTRIBUTE_ERR', 10], ['INVALID_STATE_ERR', 11],
  ['SYNTAX_ERR', 12], ['INVALID_MODIFICATION_ERR', 13], ['NAMESPACE_ERR', 14], ['INVALID_ACCESS_ERR', 15],
  ['VALIDATION_ERR', 16], ['TYPE_MISMATCH_ERR', 17], ['SECURITY_ERR', 18], ['NETWORK_ERR', 19],
  ['ABORT_ERR', 20], ['URL_MISMATCH_ERR', 21], ['QUOTA_EXCEEDED_ERR', 22], ['TIMEOUT_ERR', 23],
  ['INVALID_NODE_TYPE_ERR', 24], ['DATA_CLONE_ERR', 25],
];

interface Slots { name: string; message: string; cause: unknown }
const slots = new WeakMap<object, Slots>();

function slotsOf(self: unknown, member: string): Slots {
  const s = typeof self === 'object' && self !== null ? WeakMapPrototypeGet(slots, self) : undefined;
  if (s === undefined) throw new TypeError(`Illegal invocation: DOMException.prototype.${member} called on a non-DOMException`);
  return s;
}

/** WebIDL DOMString conversion (ToString, which throws for symbols). */
function toDOMString(v: unknown): string {
  if (typeof v === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
  return String(v);
}

export class DOMException extends Error {
  // constructor(optional DOMString message = "", optional (DOMExceptionOptions or DOMString) options = {})
  // with dictionary DOMExceptionOptions { any cause; DOMString name = "Error"; }.
  constructor(message: unknown = undefined, options: unknown = undefined) {
    const messageString = message === undefined ? '' : toDOMString(message);
    let nameString = 'Error';
    let cause: unknown;
    if (typeof options === 'object' || typeof options === 'function') {
      if (options !== null) {
        // Dictionary members in lexicographic order.
        cause = ReflectGet(options, 'cause');
        const name = ReflectGet(options, 'name');
        if (name !== undefined) nameString = toDOMString(name);
      }
    } else if (options !== undefined) {
      nameString = toDOMString(options);
    }
    // V8 starts the captured stack below the `new DOMException(…)` frame (new.target) and heads it
    // with the name getter (read lazily) and the message given to Error, hence `super(message)`;
    // the own `message` Error makes is removed: WebIDL exposes it through the prototype getter.
    super(messageString);
    delete (this as { message?: string }).message;
    WeakMapPrototypeSet(slots, this, { name: nameString, message: messageString, cause });
  }
  // @ts-expect-error accessor replaces Error's data property on purpose (spec: prototype getters)
  get name(): string { return slotsOf(this, 'name').name; }
  // @ts-expect-error see above
  get message(): string { return slotsOf(this, 'message').message; }
  override get cause(): unknown { return slotsOf(this, 'cause').cause; }
  get code(): number {
    const { name } = slotsOf(this, 'code');
    return ObjectHasOwn(legacyCodes, name) ? legacyCodes[name]! : 0;
  }
}

for (let i = 0; i < constants.length; i++) {
  const [key, value] = constants[i]!;
  const desc = { value, writable: false, enumerable: true, configurable: false };
  ObjectDefineProperty(DOMException, key, desc);
  ObjectDefineProperty(DOMException.prototype, key, desc);
}
ObjectDefineProperty(DOMException.prototype, SymbolToStringTag, { value: 'DOMException', configurable: true });
for (const member of ['name', 'message', 'cause', 'code']) {
  const d = { enumerable: true };
  ObjectDefineProperty(DOMException.prototype, member, d);
}
// The prototype chain is DOMException.prototype → Error.prototype (WebIDL), already set by `extends`.
void ObjectSetPrototypeOf;

/** The [[Name]] and [[Message]] slots (what runtime code must use instead of the prototype getters,
 * which tenant code may replace); undefined for non-DOMExceptions. */
export function domExceptionSlots(v: unknown): { readonly name: string; readonly message: string } | undefined {
  return typeof v === 'object' && v !== null ? WeakMapPrototypeGet(slots, v) : undefined;
}

/** `name: message` from the slots, as Error.prototype.toString would give it; undefined for
 * non-DOMExceptions. */
export function describeDOMException(v: unknown): string | undefined {
  const s = domExceptionSlots(v);
  if (s === undefined) return undefined;
  return s.message === '' ? s.name : s.name === '' ? s.message : `${s.name}: ${s.message}`;
}

/** Brand check for runtime code (structuredClone, inspection). */
export function isDOMException(v: unknown): v is DOMException {
  return typeof v === 'object' && v !== null && WeakMapPrototypeGet(slots, v) !== undefined;
}
