// WebIDL DOMException: https://webidl.spec.whatwg.org/#idl-DOMException
// An Error subclass of this realm with `name`, `message` and the legacy `code` table.
import {
  Error, ErrorCaptureStackTrace, ObjectDefineProperty, ObjectFreeze, ObjectHasOwn, ObjectSetPrototypeOf,
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
} as Record<string, number>);

const constants: [string, number][] = [
  ['INDEX_SIZE_ERR', 1], ['DOMSTRING_SIZE_ERR', 2], ['HIERARCHY_REQUEST_ERR', 3], ['WRONG_DOCUMENT_ERR', 4],
  ['INVALID_CHARACTER_ERR', 5], ['NO_DATA_ALLOWED_ERR', 6], ['NO_MODIFICATION_ALLOWED_ERR', 7],
  ['NOT_FOUND_ERR', 8], ['NOT_SUPPORTED_ERR', 9], ['INUSE_ATTRIBUTE_ERR', 10], ['INVALID_STATE_ERR', 11],
  ['SYNTAX_ERR', 12], ['INVALID_MODIFICATION_ERR', 13], ['NAMESPACE_ERR', 14], ['INVALID_ACCESS_ERR', 15],
  ['VALIDATION_ERR', 16], ['TYPE_MISMATCH_ERR', 17], ['SECURITY_ERR', 18], ['NETWORK_ERR', 19],
  ['ABORT_ERR', 20], ['URL_MISMATCH_ERR', 21], ['QUOTA_EXCEEDED_ERR', 22], ['TIMEOUT_ERR', 23],
  ['INVALID_NODE_TYPE_ERR', 24], ['DATA_CLONE_ERR', 25],
];

interface Slots { name: string; message: string }
const slots = new WeakMap<object, Slots>();

function slotsOf(self: unknown, member: string): Slots {
  const s = typeof self === 'object' && self !== null ? WeakMapPrototypeGet(slots, self) : undefined;
  if (s === undefined) throw new TypeError(`Illegal invocation: DOMException.prototype.${member} called on a non-DOMException`);
  return s;
}

export class DOMException extends Error {
  constructor(message: unknown = '', name: unknown = 'Error') {
    // WebIDL: both arguments are converted with ToString (DOMString); undefined means the default.
    const messageString = message === undefined ? '' : String(message);
    const nameString = name === undefined ? 'Error' : String(name);
    super(messageString);
    // Own `message` from Error's constructor is removed: the spec exposes it via the prototype getter.
    delete (this as { message?: string }).message;
    WeakMapPrototypeSet(slots, this, { name: nameString, message: messageString });
    if (ErrorCaptureStackTrace) ErrorCaptureStackTrace(this, DOMException);
  }
  // @ts-expect-error accessor replaces Error's data property on purpose (spec: prototype getters)
  get name(): string { return slotsOf(this, 'name').name; }
  // @ts-expect-error see above
  get message(): string { return slotsOf(this, 'message').message; }
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
for (const member of ['name', 'message', 'code']) {
  const d = { enumerable: true };
  ObjectDefineProperty(DOMException.prototype, member, d);
}
// The prototype chain is DOMException.prototype → Error.prototype (WebIDL), already set by `extends`.
void ObjectSetPrototypeOf;

/** Brand check for runtime code (structuredClone, inspection). */
export function isDOMException(v: unknown): v is DOMException {
  return typeof v === 'object' && v !== null && WeakMapPrototypeGet(slots, v) !== undefined;
}
