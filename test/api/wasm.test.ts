// WebAssembly in isolates: bundled `.wasm` modules (esbuild plugin) and the code generation policy.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmModulePlugin } from '../../runtime/bundler/wasm-plugin.ts';
import { createTestSession, evalInIsolate } from '../support/isolate.ts';

// (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
const ADD_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type section: (i32, i32) -> i32
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, // export "add" = func 0
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, // code: local.get 0, local.get 1, i32.add
]);
// (module (import "env" "log" (func (param i32))) (func (export "run") i32.const 42 call 0))
const IMPORT_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x00, // types: (i32)->(), ()->()
  0x02, 0x0b, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6c, 0x6f, 0x67, 0x00, 0x00, // import env.log: type 0
  0x03, 0x02, 0x01, 0x01, // function: type 1
  0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x01, // export "run" = func 1
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x2a, 0x10, 0x00, 0x0b, // code: i32.const 42, call 0
]);

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'isle-wasm-'));
  await writeFile(path.join(dir, 'add.wasm'), ADD_WASM);
  await writeFile(path.join(dir, 'import.wasm'), IMPORT_WASM);
  await writeFile(path.join(dir, 'broken.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d, 9, 9]));
  await mkdir(path.join(dir, 'node_modules', 'wasm-pkg', 'dist'), { recursive: true });
  await writeFile(path.join(dir, 'node_modules', 'wasm-pkg', 'package.json'), '{"name":"wasm-pkg","version":"1.0.0"}');
  await writeFile(path.join(dir, 'node_modules', 'wasm-pkg', 'dist', 'add.wasm'), ADD_WASM);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function bundle(source: string): Promise<string> {
  const entry = path.join(dir, `entry-${Math.random().toString(36).slice(2)}.js`);
  await writeFile(entry, source);
  const result = await esbuild.build({
    entryPoints: [entry], bundle: true, write: false, format: 'iife', globalName: '__tenant',
    platform: 'neutral', target: 'es2023', logLevel: 'silent', plugins: [wasmModulePlugin()],
  });
  return result.outputFiles[0]!.text;
}

/** Runs the bundle's top level (startup), seals like the dispatcher's `load`, then runs `body`. */
async function runBundle<T>(code: string, body: string): Promise<T> {
  const session = await createTestSession();
  try {
    await session.context.eval(code, { filename: 'worker.js' });
    await session.callIsolate('codegen.seal');
    return (await session.context.eval(`(async () => {\n${body}\n})()`, { promise: true, copy: true, timeout: 5000 })) as T;
  } finally {
    session.dispose();
  }
}

describe('bundled .wasm modules', () => {
  it('an imported .wasm file is a compiled WebAssembly.Module, instantiable after startup', async () => {
    const code = await bundle(`
      import mod from './add.wasm';
      import again from './add.wasm?module';
      import fromPkg from 'wasm-pkg/dist/add.wasm';
      export const same = mod === again;
      export const isModule = mod instanceof WebAssembly.Module && fromPkg instanceof WebAssembly.Module;
      export function add(a, b) { return new WebAssembly.Instance(mod).exports.add(a, b); }
      export async function addAsync(a, b) { return (await WebAssembly.instantiate(fromPkg)).exports.add(a, b); }
      export const exportsOf = WebAssembly.Module.exports(mod);
    `);
    // The bytes travel as base64 and compile at the bundle's top level.
    expect(code).toContain(Buffer.from(ADD_WASM).toString('base64'));
    const r = await runBundle(code, `
      return [__tenant.same, __tenant.isModule, __tenant.add(2, 3), await __tenant.addAsync(40, 2), __tenant.exportsOf];
    `);
    expect(r).toEqual([true, true, 5, 42, [{ name: 'add', kind: 'function' }]]);
  });

  it('imports are wired at instantiation', async () => {
    const code = await bundle(`
      import mod from './import.wasm';
      export function run() {
        const seen = [];
        new WebAssembly.Instance(mod, { env: { log: (v) => seen.push(v) } }).exports.run();
        return seen;
      }
      export function missing() {
        try { new WebAssembly.Instance(mod, {}); return 'instantiated'; } catch (e) { return e.name; }
      }
    `);
    expect(await runBundle(code, `return [__tenant.run(), __tenant.missing()]`)).toEqual([[42], 'TypeError']);
  });

  it('an invalid .wasm file is a build error', async () => {
    await expect(bundle(`import m from './broken.wasm'; export default m;`)).rejects.toThrow(/not a valid WebAssembly module/);
  });
});

describe('code generation policy', () => {
  it('eval and every Function constructor throw EvalError; identities still hold', async () => {
    const r = await evalInIsolate(`
      const attempt = (f) => { try { f(); return 'allowed'; } catch (e) { return e.constructor === EvalError ? e.message : String(e); } };
      return {
        eval: attempt(() => eval('1 + 1')),
        indirectEval: attempt(() => (0, globalThis.eval)('1 + 1')),
        newFunction: attempt(() => new Function('return 1')),
        callFunction: attempt(() => Function('return 1')),
        viaConstructor: attempt(() => (() => {}).constructor('return 1')),
        asyncFunction: attempt(() => Object.getPrototypeOf(async () => {}).constructor('return 1')),
        generator: attempt(() => Object.getPrototypeOf(function* () {}).constructor('yield 1')),
        asyncGenerator: attempt(() => Object.getPrototypeOf(async function* () {}).constructor('yield 1')),
        reflect: attempt(() => Reflect.construct(''.constructor.constructor, ['return 1'])),
        evalNonString: eval(42),
        instanceOf: (() => {}) instanceof Function && (async () => {}) instanceof Function,
        ctorIdentity: (function () {}).constructor === Function,
        asyncName: Object.getPrototypeOf(async () => {}).constructor.name,
        protoChain: Object.getPrototypeOf(Object.getPrototypeOf(async () => {}).constructor) === Function,
        fnProto: Object.getPrototypeOf(Function) === Function.prototype && Function.prototype.constructor === Function,
        names: [Function.name, Function.length, eval.name, eval.length],
      };
    `);
    const msg = 'Code generation from strings disallowed for this context';
    expect(r).toEqual({
      eval: msg, indirectEval: msg, newFunction: msg, callFunction: msg, viaConstructor: msg, asyncFunction: msg,
      generator: msg, asyncGenerator: msg, reflect: msg, evalNonString: 42, instanceOf: true, ctorIdentity: true,
      asyncName: 'AsyncFunction', protoChain: true, fnProto: true, names: ['Function', 1, 'eval', 1],
    });
  });

  it('after startup, wasm bytes cannot be compiled; compiled modules still instantiate', async () => {
    const code = await bundle(`import mod from './add.wasm'; export { mod };`);
    const bytes = JSON.stringify([...ADD_WASM]);
    const r = await runBundle(code, `
      const bytes = new Uint8Array(${bytes});
      const err = async (f) => { try { await f(); return 'allowed'; } catch (e) { return e instanceof WebAssembly.CompileError ? e.message : String(e); } };
      return {
        ctor: await err(() => new WebAssembly.Module(bytes)),
        compile: await err(() => WebAssembly.compile(bytes)),
        instantiateBytes: await err(() => WebAssembly.instantiate(bytes)),
        subclass: await err(() => new (class extends WebAssembly.Module {})(bytes)),
        instantiateModule: (await WebAssembly.instantiate(__tenant.mod)).exports.add(1, 2),
        instance: new WebAssembly.Instance(__tenant.mod).exports.add(3, 4),
        validate: WebAssembly.validate(bytes),
        tag: Object.prototype.toString.call(WebAssembly),
        memory: new WebAssembly.Memory({ initial: 1 }).buffer.byteLength,
      };
    `);
    expect(r).toEqual({
      ctor: 'WebAssembly.Module(): Wasm code generation disallowed by embedder',
      compile: 'WebAssembly.compile(): Wasm code generation disallowed by embedder',
      instantiateBytes: 'WebAssembly.instantiate(): Wasm code generation disallowed by embedder',
      subclass: 'WebAssembly.Module(): Wasm code generation disallowed by embedder',
      instantiateModule: 3, instance: 7, validate: true, tag: '[object WebAssembly]', memory: 65536,
    });
  });

  it('during startup, WebAssembly.compile/instantiate of bytes work (and settle)', async () => {
    const bytes = JSON.stringify([...ADD_WASM]);
    const r = await evalInIsolate(`
      const bytes = new Uint8Array(${bytes});
      const m = await WebAssembly.compile(bytes);
      const { module, instance } = await WebAssembly.instantiate(bytes);
      const bad = await WebAssembly.compile(new Uint8Array([1, 2, 3])).then(() => 'ok', (e) => e.constructor.name);
      const notBytes = await WebAssembly.instantiate(42).then(() => 'ok', (e) => e.constructor.name);
      class Sub extends WebAssembly.Module {}
      const sub = new Sub(bytes);
      return [m instanceof WebAssembly.Module, module instanceof WebAssembly.Module, instance.exports.add(20, 22), bad, notBytes,
        sub instanceof Sub && sub instanceof WebAssembly.Module, Object.getPrototypeOf(m).constructor === WebAssembly.Module,
        (() => { try { WebAssembly.Module(bytes); return 'called'; } catch (e) { return e.constructor.name; } })()];
    `);
    expect(r).toEqual([true, true, 42, 'CompileError', 'TypeError', true, true, 'TypeError']);
  });
});
