// A worker project that imports a .wasm file, built by the real tenant bundler and served by
// `worker dev`: the module compiles at startup; at request time runtime code generation is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevFixture } from '../support/project.ts';

// (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
const ADD_WASM = Buffer.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x03, 0x02,
  0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20,
  0x01, 0x6a, 0x0b,
]);

const worker = `
import addModule from './add.wasm';
const instance = new WebAssembly.Instance(addModule);
const bytes = new Uint8Array(${JSON.stringify([...ADD_WASM])});
const atStartup = (() => { try { eval('1'); return 'eval allowed'; } catch (e) { return e.name; } })();
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const a = Number(url.searchParams.get('a')), b = Number(url.searchParams.get('b'));
    const attempt = async (f) => { try { await f(); return 'allowed'; } catch (e) { return e.name + ': ' + e.message; } };
    console.log('adding', { a, b });
    return Response.json({
      sum: instance.exports.add(a, b),
      again: (await WebAssembly.instantiate(addModule)).exports.add(1, 1),
      atStartup,
      eval: await attempt(() => eval('1 + 1')),
      fn: await attempt(() => new Function('return 1')),
      compile: await attempt(() => WebAssembly.compile(bytes)),
      module: await attempt(() => new WebAssembly.Module(bytes)),
    });
  },
};
`;

describe('worker with a bundled .wasm module', () => {
  let dev: DevFixture;
  beforeAll(async () => {
    dev = await startDev({ 'src/index.js': worker, 'src/add.wasm': ADD_WASM as unknown as string }, { entry: 'src/index.js' });
  });
  afterAll(() => dev.close());

  it('instantiates the module per request; runtime code generation is refused', async () => {
    const res = await fetch(dev.url + '/?a=40&b=2');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sum: 42,
      again: 2,
      atStartup: 'EvalError',
      eval: 'EvalError: Code generation from strings disallowed for this context',
      fn: 'EvalError: Code generation from strings disallowed for this context',
      compile: 'CompileError: WebAssembly.compile(): Wasm code generation disallowed by embedder',
      module: 'CompileError: WebAssembly.Module(): Wasm code generation disallowed by embedder',
    });
    await dev.waitForOutput(/adding \{ a: 40, b: 2 \}/);
  });
});
