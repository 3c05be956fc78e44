// isle/types: the declarations tenants compile against. They resolve through the package's
// exports, declare every global an isolate has, promise nothing it lacks, and let no DOM or Node
// type in. types/embed.d.ts (the programmatic API) matches runtime/embed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_TYPES_FILE, renderWebTypes, runtimeManifest } from '../../cli/generate-types.ts';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
let project: string;

beforeAll(() => {
  // A tenant project that depends on Isle the way `worker init` sets it up.
  project = mkdtempSync(join(tmpdir(), 'isle-types-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(root, join(project, 'node_modules', 'isle'));
  mkdirSync(join(project, 'src'));
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** Compiles `files` in the tenant project with a template's tsconfig.json; returns the diagnostics. */
function compile(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, 'src', name), text);
  const tsconfig = JSON.parse(readFileSync(join(root, 'templates/hello/tsconfig.json'), 'utf8'));
  const configFile = join(project, 'tsconfig.json');
  writeFileSync(configFile, JSON.stringify({ ...tsconfig, include: [], files: Object.keys(files).map((f) => `src/${f}`) }));
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  expect(parsed.errors).toEqual([]);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file?.fileName.replace(`${project}/`, ''),
    code: d.code,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
  return { diagnostics, program };
}

const WORKER = `
export interface Env { GREETING: string; LIMIT?: string }

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const pattern = new URLPattern({ pathname: '/users/:id' });
    const id: string | undefined = pattern.exec(url)?.pathname.groups.id;
    const headers = new Headers({ 'content-type': 'text/plain' });
    for (const [name, value] of headers) console.log(name, value);
    ctx.waitUntil(fetch('https://example.com', { method: 'POST', body: new ReadableStream(), duplex: 'half' }).then((r) => r.text()));
    const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const signature = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(id ?? ''));
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    void writable.getWriter().close();
    for await (const chunk of new ReadableStream<string>({ start(c) { c.enqueue('x'); c.close(); } })) console.log(chunk);
    const timer: number = setTimeout(() => {}, 10);
    clearTimeout(timer);
    AbortSignal.timeout(100).throwIfAborted();
    structuredClone({ a: new Map() });
    await new Blob(['x']).text();
    new FormData().append('file', new File(['x'], 'x.txt'));
    performance.mark('x');
    navigator.userAgent.toUpperCase();
    new CompressionStream('gzip');
    await WebAssembly.validate(new Uint8Array([0, 97, 115, 109]));
    queueMicrotask(() => reportError(new Error(btoa('x'))));
    self.addEventListener('unhandledrejection', (e) => e.reason);
    new MessageChannel().port1.postMessage(crypto.randomUUID());
    new DOMException('x', 'AbortError');
    void [new TextDecoderStream(), new TextEncoderStream(), new DecompressionStream('deflate')];
    return new Response(readable, {
      headers: { 'x-signature': String(signature.byteLength), 'x-greeting': env.GREETING },
    });
  },
  async scheduled(controller, env, ctx) {
    console.log(controller.cron, controller.scheduledTime, env.LIMIT);
    controller.noRetry();
    ctx.waitUntil(Promise.resolve());
  },
} satisfies ExportedHandler<Env>;
`;

const SERVICE_WORKER = `
addEventListener('fetch', (event) => {
  event.respondWith(new Response(event.request.url));
  event.waitUntil(Promise.resolve());
  event.passThroughOnException();
});
addEventListener('scheduled', (event) => {
  event.waitUntil(Promise.resolve(event.cron + event.scheduledTime));
});
export {};
`;

describe('isle/types', () => {
  it('types a module worker and a service worker with no errors, through the package exports', () => {
    const { diagnostics, program } = compile({ 'worker.ts': WORKER, 'sw.ts': SERVICE_WORKER });
    expect(diagnostics).toEqual([]);
    const files = program.getSourceFiles().map((f) => f.fileName);
    expect(files.some((f) => f.endsWith('types/index.d.ts'))).toBe(true);
    // No Node types and no DOM lib leak in.
    expect(files.filter((f) => f.includes('@types/node') || /lib\.(dom|webworker)[.\w]*\.d\.ts$/.test(f))).toEqual([]);
  });

  it('rejects what an Isle isolate does not have: Node, the DOM, and other runtimes\' extras', () => {
    const names = ['process', 'Buffer', 'require', '__dirname', 'setImmediate', 'document', 'window', 'caches',
      'HTMLRewriter', 'WebSocket', 'XMLHttpRequest', 'importScripts', 'indexedDB', 'FileReader', 'EventSource', 'localStorage'];
    const { diagnostics } = compile({ 'bad.ts': `export {};\n${names.map((n) => `void ${n};`).join('\n')}\n` });
    const missing = diagnostics.filter((d) => [2304, 2580, 2584, 2591, 2868].includes(d.code)).map((d) => /'([^']+)'/.exec(d.message)?.[1]);
    expect(missing.sort()).toEqual([...names].sort());
    expect(diagnostics).toHaveLength(names.length);
  });

  it('checks handler shapes and env types', () => {
    const { diagnostics } = compile({
      'typed.ts': `
        interface Env { COUNT: string }
        export default {
          fetch(request, env) { const n: number = env.COUNT; return new Response(String(n)); },
        } satisfies ExportedHandler<Env>;
        export const wrong = { fetch: () => 'not a response' } satisfies ExportedHandler;
      `,
    });
    expect(diagnostics.map((d) => d.code).sort()).toEqual([2322, 2322]);
  });

  it('declares every global of a real isolate', async () => {
    const manifest = await runtimeManifest();
    const names = [...Object.keys(manifest.globals), ...manifest.scope.filter((n) => n !== 'constructor' && !n.startsWith('@@'))];
    expect(names.length).toBeGreaterThan(60);
    const { diagnostics } = compile({ 'globals.ts': `export {};\n${names.map((n) => `void ${n};`).join('\n')}\n` });
    expect(diagnostics).toEqual([]);
  });

  it('types/web.d.ts declares nothing the runtime lacks (regenerate with cli/generate-types.ts)', async () => {
    const committed = readFileSync(WEB_TYPES_FILE, 'utf8');
    const fresh = renderWebTypes(await runtimeManifest());
    if (committed === fresh) return;
    // Lines only in the committed file are members/globals the runtime no longer has.
    const count = (text: string) => {
      const m = new Map<string, number>();
      for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('*') && !l.startsWith('/'))) {
        m.set(line, (m.get(line) ?? 0) + 1);
      }
      return m;
    };
    const now = count(fresh);
    const promised = [...count(committed)].filter(([line, n]) => (now.get(line) ?? 0) < n).map(([line]) => line);
    expect(promised, 'types/web.d.ts is stale: run node --no-node-snapshot --expose-gc cli/generate-types.ts').toEqual([]);
  });
});

describe('types/embed.d.ts', () => {
  it('matches the programmatic API it describes', () => {
    const file = join(root, 'test/tenant/.embed-compat.ts');
    writeFileSync(file, `
      import type * as Impl from '../../runtime/embed/index.ts';
      import type * as Decl from '../../types/embed.d.ts';
      type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
      export const checks: [
        Same<Parameters<typeof Impl.createWorker>, Parameters<typeof Decl.createWorker>>,
        Same<Awaited<ReturnType<typeof Impl.createWorker>>, Awaited<ReturnType<typeof Decl.createWorker>>>,
        Same<Impl.CreateWorkerOptions, Decl.CreateWorkerOptions>,
        Same<Impl.IsleWorker, Decl.IsleWorker>,
        Same<Impl.Limits, Decl.Limits>,
        Same<Impl.LogRecord, Decl.LogRecord>,
      ] = [true, true, true, true, true, true];
    `);
    try {
      const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
      const program = ts.createProgram({ rootNames: [file], options: config.options });
      const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
