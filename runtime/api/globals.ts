// How runtime/api puts names on the tenant's global object, with WebIDL's property attributes.
import { ArrayPrototypePush, ObjectDefineProperty, globalThisRef } from './intrinsics.ts';

const exposed: Function[] = [];

/** Every interface object the prelude exposed (structuredClone refuses their instances). */
export function exposedInterfaces(): readonly Function[] {
  return exposed;
}

/** An interface object (class): writable, non-enumerable, configurable. */
export function exposeInterface(name: string, value: Function): void {
  ArrayPrototypePush(exposed, value);
  ObjectDefineProperty(globalThisRef, name, { value, writable: true, enumerable: false, configurable: true });
}

/** A global operation (`atob`, `fetch`, …): writable, enumerable, configurable. */
export function exposeFunction(name: string, value: Function): void {
  ObjectDefineProperty(globalThisRef, name, { value, writable: true, enumerable: true, configurable: true });
}

/** A global attribute (`self`, `navigator`, `crypto`, …) as a [Replaceable] getter. */
export function exposeAttribute(name: string, get: () => unknown): void {
  ObjectDefineProperty(globalThisRef, name, {
    get,
    set(this: unknown, v: unknown) {
      ObjectDefineProperty(globalThisRef, name, { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: true,
    configurable: true,
  });
}

/** A namespace object (`console`, `WebAssembly`, …): writable, non-enumerable, configurable. */
export function exposeNamespace(name: string, value: object): void {
  ObjectDefineProperty(globalThisRef, name, { value, writable: true, enumerable: false, configurable: true });
}

/** Removes a name V8 or isolated-vm put on the global that is not part of Isle's surface. */
export function removeGlobal(name: string): void {
  delete (globalThisRef as Record<string, unknown>)[name];
}
