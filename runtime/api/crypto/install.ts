// Web Crypto on the global: the interfaces Crypto, SubtleCrypto and CryptoKey, and the `crypto`
// attribute (WebCrypto: `partial interface mixin WindowOrWorkerGlobalScope { [SameObject] readonly
// attribute Crypto crypto; }`). As a regular readonly attribute of the global object it is an
// enumerable, configurable accessor with a getter and no setter: assigning to `crypto` does not
// replace it (a TypeError in strict code), while `Object.defineProperty` / `delete` still can.
import { ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, TypeError, globalThisRef } from '../intrinsics.ts';
import { exposeInterface } from '../globals.ts';
import { registerSerializable } from '../messaging/structured-clone.ts';
import { Crypto, createCrypto } from './crypto.ts';
import { CryptoKey, cloneCryptoKey, isCryptoKey } from './crypto-key.ts';
import { SubtleCrypto } from './subtle.ts';

export function install(): void {
  const crypto = createCrypto();
  const accessors = {
    get crypto(): Crypto {
      // [Global] interface attribute: an undefined/null receiver means the global itself.
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const self: unknown = this;
      if (self !== undefined && self !== null && self !== globalThisRef) {
        throw new TypeError("Illegal invocation: the 'crypto' getter called on an object that is not the global");
      }
      return crypto;
    },
  };
  const getter = ObjectGetOwnPropertyDescriptor(accessors, 'crypto')!.get!;
  ObjectDefineProperty(globalThisRef, 'crypto', { get: getter, set: undefined, enumerable: true, configurable: true });
  exposeInterface('Crypto', Crypto);
  exposeInterface('SubtleCrypto', SubtleCrypto);
  exposeInterface('CryptoKey', CryptoKey);
  // CryptoKey is [Serializable]: structuredClone and postMessage (within this isolate) give a new
  // CryptoKey over the same key material. The serialized form holds the original object, which keeps
  // its host handle alive until the copy is made.
  registerSerializable(
    isCryptoKey,
    (key) => ({ key }),
    (data) => cloneCryptoKey((data as { key: CryptoKey }).key),
  );
}
