// Placeholder until the WebAssembly work lands: `.wasm` imports are refused with a clear message.
import type * as esbuild from 'esbuild';

export function wasmModulePlugin(): esbuild.Plugin {
  return {
    name: 'isle-wasm',
    setup(build) {
      build.onLoad({ filter: /\.wasm$/ }, () => ({ errors: [{ text: '.wasm imports are not supported yet' }] }));
    },
  };
}
