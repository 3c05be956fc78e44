// Runtime code generation policy.
//
// isolated-vm cannot switch V8's own check off: it creates every context with
// `AllowCodeGenerationFromStrings(false)` but installs an isolate-wide
// `ModifyCodeGenerationFromStrings` callback that allows any source (up to a size bound), and it
// sets no `AllowWasmCodeGenerationCallback`, so eval, `new Function` and wasm compilation all work
// in a bare isolate and none of it is configurable per isolate from JavaScript. V8 flags are
// process-wide (and would also hit the host). So the policy is enforced here, by replacing every
// reachable entry point before tenant code runs:
//
// - `eval(string)` and the Function, AsyncFunction, GeneratorFunction and AsyncGeneratorFunction
//   constructors always throw EvalError "Code generation from strings disallowed for this context"
//   (V8's own message) — also during startup. The originals are unreachable: the global `eval` and
//   `Function`, and each `constructor` of the four function prototypes, are swapped for inert
//   stand-ins (same names, lengths and prototypes, so `instanceof Function`, `fn.constructor ===
//   Function` and `Object.getPrototypeOf(async () => {}).constructor.name` keep working). This is
//   done in the snapshot, so the originals never exist in a tenant context.
// - WebAssembly: `new WebAssembly.Module(bytes)`, `WebAssembly.compile(bytes)` and
//   `WebAssembly.instantiate(bytes)` compile only during the worker's startup phase (evaluation of
//   the bundle's top level, where the bytes of a bundled `.wasm` module are compiled); after
//   `sealCodeGeneration()` — called by the dispatcher's `load` entry, right after the top level ran
//   (also reachable as the `codegen.seal` entry) — they fail with WebAssembly.CompileError "… Wasm
//   code generation disallowed by embedder" (V8's message). Instantiating an already compiled
//   Module (`new WebAssembly.Instance(module)`, `WebAssembly.instantiate(module)`) and `validate`
//   always work. V8 only adds `WebAssembly` to a context after the snapshot is deserialized, so
//   these wrappers are installed by boot, still before tenant code. `compile` / `instantiate`
//   compile synchronously and return settled promises (see below).
import {
  EvalError, FunctionPrototypeBind, ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf,
  ObjectSetPrototypeOf, PromiseReject, PromiseResolve, ReflectApply, ReflectConstruct, ReflectOwnKeys, TypeError, globalThisRef,
} from '../intrinsics.ts';
import { registerEntry } from '../bridge/entry.ts';

const CODEGEN_MESSAGE = 'Code generation from strings disallowed for this context';

let startup = true;

/** Ends the startup phase: from now on, no wasm bytes can be compiled in this isolate. Idempotent. */
export function sealCodeGeneration(): void {
  startup = false;
}

/** Is runtime wasm compilation still allowed (startup phase)? */
export function isStartupPhase(): boolean {
  return startup;
}

registerEntry('codegen.seal', () => {
  sealCodeGeneration();
});

/**
 * A native-looking (bound) stand-in with `name`, `length` and an own `prototype`, if given. The
 * prototype is also set on `impl`: `instanceof` on a bound function consults its target's.
 */
function standIn(impl: Function, name: string, length: number, prototype?: object): Function {
  if (prototype !== undefined) {
    ObjectDefineProperty(impl, 'prototype', { value: prototype, writable: false, enumerable: false, configurable: false });
  }
  const f = FunctionPrototypeBind(impl, undefined) as Function;
  ObjectDefineProperty(f, 'name', { value: name, writable: false, enumerable: false, configurable: true });
  ObjectDefineProperty(f, 'length', { value: length, writable: false, enumerable: false, configurable: true });
  if (prototype !== undefined) {
    ObjectDefineProperty(f, 'prototype', { value: prototype, writable: false, enumerable: false, configurable: false });
  }
  return f;
}

/** Replaces `obj[key]`'s value keeping its attributes. */
function replaceValue(obj: object, key: PropertyKey, value: unknown): void {
  const d = ObjectGetOwnPropertyDescriptor(obj, key);
  if (d === undefined || !('value' in d)) return;
  ObjectDefineProperty(obj, key, { value, writable: d.writable, enumerable: d.enumerable, configurable: d.configurable });
}

/** Snapshot time: makes eval and every Function constructor inert. */
export function installStringCodeGenerationPolicy(): void {
  // One target per constructor: each carries its own `prototype` (see standIn).
  const blocked = () => function (): never {
    throw new EvalError(CODEGEN_MESSAGE);
  };
  // eval(x) returns non-strings unchanged (no code is generated), as V8 does with codegen disallowed.
  const evalImpl = function (x?: unknown): unknown {
    if (typeof x !== 'string') return x;
    throw new EvalError(CODEGEN_MESSAGE);
  };
  const evalStandIn = standIn(evalImpl, 'eval', 1);
  replaceValue(globalThisRef, 'eval', evalStandIn);

  const FunctionPrototype = Function.prototype;
  const kinds: [object, string][] = [
    [FunctionPrototype, 'Function'],
    [ObjectGetPrototypeOf(async function () {}), 'AsyncFunction'],
    [ObjectGetPrototypeOf(function* () {}), 'GeneratorFunction'],
    [ObjectGetPrototypeOf(async function* () {}), 'AsyncGeneratorFunction'],
  ];
  let FunctionStandIn: Function | undefined;
  for (let i = 0; i < kinds.length; i++) {
    const [proto, name] = kinds[i]!;
    const ctor = standIn(blocked(), name, 1, proto);
    // %AsyncFunction%.[[Prototype]] is %Function%, as for the originals.
    if (FunctionStandIn !== undefined) ObjectSetPrototypeOf(ctor, FunctionStandIn);
    else FunctionStandIn = ctor;
    replaceValue(proto, 'constructor', ctor);
  }
  replaceValue(globalThisRef, 'Function', FunctionStandIn);
}

type WasmNamespace = {
  Module: Function & { prototype: object };
  compile: Function;
  instantiate: Function;
  CompileError: new (message: string) => Error;
};

/** Boot time (per isolate, before tenant code): gates wasm compilation on the startup phase. */
export function installWasmCodeGenerationPolicy(): void {
  const d = ObjectGetOwnPropertyDescriptor(globalThisRef, 'WebAssembly');
  const WA = d?.value as WasmNamespace | undefined;
  if (typeof WA !== 'object' || WA === null) return;
  const OriginalModule = ObjectGetOwnPropertyDescriptor(WA, 'Module')?.value as WasmNamespace['Module'];
  const originalCompile = ObjectGetOwnPropertyDescriptor(WA, 'compile')?.value as Function;
  const originalInstantiate = ObjectGetOwnPropertyDescriptor(WA, 'instantiate')?.value as Function;
  const OriginalInstance = ObjectGetOwnPropertyDescriptor(WA, 'Instance')?.value as Function;
  const CompileError = ObjectGetOwnPropertyDescriptor(WA, 'CompileError')?.value as WasmNamespace['CompileError'];
  if (typeof OriginalModule !== 'function' || typeof originalCompile !== 'function' ||
    typeof originalInstantiate !== 'function' || typeof OriginalInstance !== 'function' ||
    typeof CompileError !== 'function') return;
  const ModulePrototype = ObjectGetOwnPropertyDescriptor(OriginalModule, 'prototype')!.value as object;
  const moduleExports = ObjectGetOwnPropertyDescriptor(OriginalModule, 'exports')!.value as Function;
  const isModule = (v: unknown): boolean => {
    try {
      ReflectApply(moduleExports, OriginalModule, [v]);
      return true;
    } catch {
      return false;
    }
  };
  const disallowed = (api: string) => new CompileError(`${api}: Wasm code generation disallowed by embedder`);

  // Called through a bound stand-in: `new.target` is this function (or a subclass).
  const moduleImpl = function Module(this: unknown, bytes: unknown): object {
    if (new.target === undefined) throw new TypeError("WebAssembly.Module must be invoked with 'new'");
    if (!startup) throw disallowed('WebAssembly.Module()');
    return ReflectConstruct(OriginalModule, [bytes], new.target);
  };
  const ModuleStandIn = standIn(moduleImpl, 'Module', 1, ModulePrototype);
  // Statics (exports, imports, customSections) only read compiled modules: keep them.
  const statics = ReflectOwnKeys(OriginalModule);
  for (let i = 0; i < statics.length; i++) {
    const key = statics[i]!;
    if (key === 'prototype' || key === 'name' || key === 'length') continue;
    const sd = ObjectGetOwnPropertyDescriptor(OriginalModule, key)!;
    ObjectDefineProperty(ModuleStandIn, key, sd);
  }
  ObjectSetPrototypeOf(ModuleStandIn, ObjectGetPrototypeOf(OriginalModule));
  replaceValue(ModulePrototype, 'constructor', ModuleStandIn);
  replaceValue(WA, 'Module', ModuleStandIn);

  // compile / instantiate compile synchronously and settle a promise: V8's asynchronous wasm
  // compilation posts foreground tasks that isolated-vm does not reliably run (its issue #308: the
  // promise can stay pending forever), and module bytes are small enough to compile in place.
  const compile = {
    compile(bytes: unknown): Promise<unknown> {
      if (!startup) return PromiseReject(disallowed('WebAssembly.compile()'));
      try {
        return PromiseResolve(ReflectConstruct(OriginalModule, [bytes]));
      } catch (e) {
        return PromiseReject(e);
      }
    },
  }.compile;
  replaceValue(WA, 'compile', compile);

  const instantiate = {
    instantiate(source: unknown, importObject?: unknown): Promise<unknown> {
      try {
        if (isModule(source)) return PromiseResolve(ReflectConstruct(OriginalInstance, [source, importObject]));
        if (!startup) return PromiseReject(disallowed('WebAssembly.instantiate()'));
        const module = ReflectConstruct(OriginalModule, [source]);
        const instance = ReflectConstruct(OriginalInstance, [module, importObject]);
        return PromiseResolve({ module, instance });
      } catch (e) {
        return PromiseReject(e);
      }
    },
  }.instantiate;
  replaceValue(WA, 'instantiate', instantiate);
}
