// esbuild plugin for tenant bundles: `import mod from './x.wasm'` (or './x.wasm?module', wrangler's
// spelling) gives a compiled `WebAssembly.Module`, as on Cloudflare Workers.
//
// The module's bytes are embedded in the bundle as base64 and compiled once, by a module-level
// `new WebAssembly.Module(bytes)` that runs while the bundle's top level is evaluated — the
// worker's startup phase, the only time Isle lets wasm bytes be compiled
// (runtime/api/wasm/policy.ts). Consequences for the host:
// - the bundle must be evaluated after the isolate has booted (V8 adds `WebAssembly` to a context
//   only after the startup snapshot is deserialized, so such a bundle cannot be baked into a
//   snapshot);
// - a `.wasm` module reached only through a lazy `require()` inside a handler compiles after the
//   startup phase and fails with WebAssembly.CompileError.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plugin } from 'esbuild';

const NAMESPACE = 'isle-wasm';
const RUNTIME = 'isle:wasm-runtime';
const SKIP = Symbol('isle-wasm-resolving');
// Node's WebAssembly (the host lib typings do not declare it).
const wasmApi = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

// Shared by every .wasm module of a bundle (esbuild includes it once). No globals other than
// Uint8Array and WebAssembly.Module are used, so tenant code running earlier cannot interfere by
// replacing atob or TextDecoder.
const RUNTIME_SOURCE = `
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export function compileWasm(b64, byteLength) {
  const table = new Uint8Array(128);
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  const out = new Uint8Array(byteLength);
  let o = 0;
  for (let i = 0; i < b64.length && o < byteLength; i += 4) {
    const n = (table[b64.charCodeAt(i)] << 18) | (table[b64.charCodeAt(i + 1)] << 12) |
      (table[b64.charCodeAt(i + 2)] << 6) | table[b64.charCodeAt(i + 3)];
    out[o++] = n >> 16;
    if (o < byteLength) out[o++] = (n >> 8) & 255;
    if (o < byteLength) out[o++] = n & 255;
  }
  return new WebAssembly.Module(out);
}
`;

export interface WasmModulePluginOptions {
  /** Largest accepted .wasm file in bytes (default 25 MiB). */
  maxBytes?: number;
}

export function wasmModulePlugin(options: WasmModulePluginOptions = {}): Plugin {
  const maxBytes = options.maxBytes ?? 25 * 1024 * 1024;
  return {
    name: 'isle-wasm-module',
    setup(build) {
      // Only the modules this plugin generates import the decoder.
      build.onResolve({ filter: /^isle:wasm-runtime$/ }, (args) =>
        args.namespace === NAMESPACE ? { path: RUNTIME, namespace: NAMESPACE } : undefined);
      build.onResolve({ filter: /\.wasm(\?module)?$/ }, async (args) => {
        if ((args.pluginData as { [SKIP]?: boolean } | undefined)?.[SKIP]) return undefined;
        const specifier = args.path.endsWith('?module') ? args.path.slice(0, -'?module'.length) : args.path;
        let resolved: string;
        if (path.isAbsolute(specifier)) {
          resolved = specifier;
        } else if (specifier.startsWith('./') || specifier.startsWith('../')) {
          resolved = path.resolve(args.resolveDir, specifier);
        } else {
          // A package path (`pkg/dist/x.wasm`): let esbuild resolve it, without coming back here.
          const r = await build.resolve(specifier, {
            kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { [SKIP]: true },
          });
          if (r.errors.length > 0) return { errors: r.errors };
          resolved = r.path;
        }
        return { path: resolved, namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, async (args) => {
        if (args.path === RUNTIME) return { contents: RUNTIME_SOURCE, loader: 'js' };
        const bytes = await readFile(args.path);
        if (bytes.byteLength > maxBytes) {
          return { errors: [{ text: `${args.path}: ${bytes.byteLength} bytes exceeds the ${maxBytes}-byte limit for .wasm modules` }] };
        }
        if (!wasmApi.validate(bytes)) {
          return { errors: [{ text: `${args.path} is not a valid WebAssembly module` }] };
        }
        const contents =
          `import { compileWasm } from 'isle:wasm-runtime';\n` +
          `export default compileWasm(${JSON.stringify(bytes.toString('base64'))}, ${bytes.byteLength});\n`;
        return { contents, loader: 'js', resolveDir: path.dirname(args.path), watchFiles: [args.path] };
      });
    },
  };
}
