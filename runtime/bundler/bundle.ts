// Bundles a tenant's entry (.js/.ts/.mjs + npm dependencies) into Isle's bundle format with esbuild.
//
// Format: one classic script (V8 startup snapshots and code caches take scripts, not modules) whose
// completion value is the module's exports: esbuild's `iife` output with a global name, wrapped in a
// function so that name never reaches the tenant's global scope. The banner and footer go through
// esbuild, so the source map stays exact.
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { relative } from 'node:path';
import * as esbuild from 'esbuild';
import { wasmModulePlugin } from './wasm-plugin.ts';

export const BUNDLE_FILENAME = 'worker.js';
const EXPORTS_NAME = '__isle_exports';

export interface WorkerBundle {
  /** Content hash of code + map: identifies a build/version. */
  id: string;
  code: string;
  /** Source map (JSON text) of `code`, sources relative to the project root. */
  map: string;
  /** Name the code runs under in stack traces. */
  filename: string;
}

export interface BuildError {
  file?: string;
  line?: number;
  column?: number;
  text: string;
}

export class BundleError extends Error {
  override name = 'BundleError';
  readonly errors: BuildError[];
  constructor(errors: BuildError[]) {
    super(errors.map(formatBuildError).join('\n'));
    this.errors = errors;
  }
}

export function formatBuildError(e: BuildError): string {
  const where = e.file ? `${e.file}${e.line ? `:${e.line}:${(e.column ?? 0) + 1}` : ''}: ` : '';
  return `${where}${e.text}`;
}

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Importing a Node built-in is a build error that says why (web APIs only), not "could not resolve". */
function rejectNodeBuiltins(): esbuild.Plugin {
  return {
    name: 'isle-no-node-builtins',
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
        if (!nodeBuiltins.has(args.path) && !args.path.startsWith('node:')) return undefined;
        return {
          errors: [{
            text: `Node built-in module "${args.path}" cannot be imported: Isle workers get web APIs only (fetch, streams, crypto.subtle, …), not Node's.`,
          }],
        };
      });
    },
  };
}

export function bundleOptions(entry: string, root: string): esbuild.BuildOptions {
  return {
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'iife',
    globalName: EXPORTS_NAME,
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    target: 'es2023',
    sourcemap: 'external',
    sourcesContent: true,
    outfile: BUNDLE_FILENAME,
    banner: { js: '(function () {' },
    footer: { js: `return ${EXPORTS_NAME};\n})();` },
    metafile: true,
    logLevel: 'silent',
    loader: { '.html': 'text', '.txt': 'text', '.bin': 'binary' },
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [rejectNodeBuiltins(), wasmModulePlugin()],
  };
}

function toBuildErrors(messages: esbuild.Message[], root: string): BuildError[] {
  return messages.map((m) => ({
    ...(m.location && { file: relative(root, m.location.file) || m.location.file, line: m.location.line, column: m.location.column }),
    text: friendlier(m.text),
  }));
}

function friendlier(text: string): string {
  if (text.includes('Top-level await is currently not supported')) {
    return `${text} (Isle runs the bundle as a script: move the await into your handler)`;
  }
  return text;
}

// esbuild ends an ES module entry's iife with `return __toCommonJS(entry_exports);`: a copy of the
// namespace object whose loop (for…of, Function.prototype.call) runs AFTER the tenant's top level,
// i.e. through built-ins the tenant may have replaced by then. The namespace object itself (its
// accessors were defined before any tenant code ran, with helpers captured at the bundle's start)
// serves as the exports instead. Same line count, so the source map is unaffected; any other shape
// (CommonJS entries) is left as esbuild wrote it.
const TO_COMMON_JS_TAIL = /\n {2}return __toCommonJS\(([\w$]+)\);\n\}\)\(\);\nreturn __isle_exports;\n\}\)\(\);\n$/;
function returnNamespace(code: string): string {
  return code.replace(TO_COMMON_JS_TAIL, (_m, ns: string) => `\n  return ${ns};\n})();\nreturn __isle_exports;\n})();\n`);
}

/** Turns an esbuild result into a WorkerBundle plus the files it read (for watching). */
export function bundleFromResult(result: esbuild.BuildResult, root: string): { bundle: WorkerBundle; inputs: string[] } {
  if (result.errors.length > 0) throw new BundleError(toBuildErrors(result.errors, root));
  const files = result.outputFiles ?? [];
  const codeFile = files.find((f) => f.path.endsWith('.js'));
  const mapFile = files.find((f) => f.path.endsWith('.js.map'));
  if (!codeFile || !mapFile) throw new BundleError([{ text: 'esbuild produced no output' }]);
  // Drop the sourceMappingURL comment: maps are kept beside the code, never fetched by V8.
  const code = returnNamespace(codeFile.text.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'));
  const map = mapFile.text;
  const id = createHash('sha256').update(code).update('\0').update(map).digest('hex').slice(0, 16);
  const inputs = Object.keys(result.metafile?.inputs ?? {});
  return { bundle: { id, code, map, filename: BUNDLE_FILENAME }, inputs };
}

export async function bundleWorker(entry: string, root: string): Promise<{ bundle: WorkerBundle; inputs: string[] }> {
  let result: esbuild.BuildResult;
  try {
    result = await esbuild.build(bundleOptions(entry, root));
  } catch (e) {
    const failure = e as esbuild.BuildFailure;
    if (failure.errors) throw new BundleError(toBuildErrors(failure.errors, root));
    throw e;
  }
  return bundleFromResult(result, root);
}
