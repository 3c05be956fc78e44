// Tamper-proofing across every API area: inside a real isolate, BEFORE each API is exercised, every
// function-valued data property and every accessor getter of everything reachable from globalThis
// is replaced (fixtures/tamper-lib.js explains the walk, the harness discipline and the only skips),
// with throwing stand-ins in one run and lying stand-ins in another. The exercises
// (fixtures/tamper-exercises.js) must give exactly the results of an untampered control run, and
// the runtime must never have called a stand-in.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evalInIsolateWithLogs } from '../support/isolate.ts';
import { createWorker, type IsleWorker } from '../../runtime/embed/index.ts';
import type { LogRecord } from '../../runtime/host/log.ts';

const LIB = readFileSync(new URL('./fixtures/tamper-lib.js', import.meta.url), 'utf8');
const EXERCISES = readFileSync(new URL('./fixtures/tamper-exercises.js', import.meta.url), 'utf8');

interface RunResult {
  results: Record<string, unknown>;
  calls: Record<string, number>;
  firstCalls: string[];
  skipped: [string, string][];
  targets: number;
  replaced: number;
}

let upstream: Server | undefined;
let upstreamURL = '';

async function runExercises(mode: 'none' | 'throw' | 'lie'): Promise<{ run: RunResult; logs: string[] }> {
  const { result, logs } = await evalInIsolateWithLogs<string>(`
    const UPSTREAM = ${JSON.stringify(upstreamURL)};
    ${LIB}
    ${EXERCISES}
    const T = makeTamper(${JSON.stringify(mode)});
    const E = prepareExercises(T);
    let resolveDone;
    const finished = new Promise((resolve) => { resolveDone = resolve; });
    // Installed in a later task: isolated-vm chains this evaluation's own promise with the native
    // then (a species lookup) once the evaluating task ends; that is the harness's, not the runtime's.
    setTimeout(() => {
      T.install();
      T.disarm();
      E.run((results) => {
        T.restore();
        resolveDone(JSON.stringify({
          results, calls: T.calls, firstCalls: T.callOrder.slice(0, 20), skipped: T.skipped,
          targets: T.targetCount(), replaced: T.replacedCount(),
        }));
      });
      T.arm();
    }, 0);
    return await finished;
  `, { timeoutMs: 60_000, allowEgress: [upstreamURL.replace('http://', '')] });
  return { run: JSON.parse(result) as RunResult, logs: logs.filter((l) => l.kind === 'tenant').map((l) => l.message) };
}

// Properties no tenant can replace (non-writable and non-configurable), so no stand-in is possible.
const IMMUTABLE = [
  'Function.prototype', // the data property Function.prototype (itself a function): non-writable, non-configurable
  'Function.prototype[Symbol.hasInstance]', // non-writable, non-configurable: `instanceof` stays intact
];

describe('tamper: every built-in method and getter replaced before each API is used', () => {
  let control: Awaited<ReturnType<typeof runExercises>>;
  beforeAll(async () => {
    // A local upstream for outbound fetch(): echoes method, URL, one header and the body, in two writes.
    upstream = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'text/plain', 'x-echo-h': String(req.headers['x-h']) });
        res.write(`${req.method} ${req.url} `);
        setTimeout(() => res.end(body), 5);
      });
    });
    await new Promise<void>((resolve) => upstream!.listen(0, '127.0.0.1', resolve));
    upstreamURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    control = await runExercises('none');
  });
  afterAll(() => new Promise<void>((resolve) => upstream!.close(() => resolve())));

  it('the control run gives the spec results (so the comparison below means something)', () => {
    const r = control.run.results as Record<string, any>;
    expect(control.run.calls).toEqual({});
    expect(r.headers).toEqual({
      pairs: ['content-type=text/plain', 'set-cookie=a=b', 'set-cookie=c=d', 'x-a=1, 3'],
      seen: ['content-type', 'set-cookie', 'set-cookie', 'x-a'],
      get: '1, 3', has: [false, true], cookies: ['a=b', 'c=d'], fromSeq: ['1', '2'],
      invalid: ['TypeError', 'TypeError'],
    });
    expect(r.request).toEqual({
      head: ['POST', 'https://example.com/b?q=1#h', 'text/plain;charset=UTF-8', '1', false, false, 'follow', 'default'],
      text: 'h\u00e9llo', cloneBytes: '68c3a96c6c6f', used: [true, true], putMethod: 'PUT',
      getWithBody: ['TypeError', 'TypeError'], relative: ['TypeError', 'TypeError'], forbidden: ['TypeError', 'TypeError'],
    });
    expect(r.response).toMatchObject({
      head: [201, 'Created', true, 'default', 'r'], bytes: '6869', json: { a: [1, 'two'], n: null },
      jsonHead: [202, 'application/json'], redirect: [301, 'https://e.com/x'], error: ['error', 0],
      streamed: ['stream', true], form: ['1', ' x y'], clone: ['twice', 5, 'text/plain;charset=UTF-8'],
      secondRead: ['TypeError', 'TypeError'], badStatus: ['RangeError', 'RangeError'], nullBody: ['TypeError', 'TypeError'],
    });
    expect(r['streams-pipeThrough']).toEqual(['aa', 'bb', 'cc', 'end']);
    expect(r['streams-tee']).toEqual({ a: ['x', 'y'], b: ['x', 'y'], locked: true, isArray: true });
    expect(r['streams-byob']).toEqual({ got: [[[1, 10, 100], 8, true], [[2, 20, 200], 8, true]], last: 0 });
    expect(r.url.before).toEqual(['https://user:pw@example.com/b%20c?x=1&y=%C3%A9#f', 'https://example.com', 'example.com', '/b%20c', '?x=1&y=%C3%A9', '#f', 'user', '']);
    expect(r.url.after).toBe('https://user:pw@example.com:8080/p%20q?x=1&y=%C3%A9&z=a+b%26#f');
    expect(r.url.idna).toBe('xn--mnchen-3ya.de.');
    expect(r.encoding.encoded).toEqual([104, 226, 130, 172, 239, 191, 189]);
    expect(r.encoding.sjis).toBe('\u3042');
    expect(r.structuredClone.fn).toEqual(['DOMException', 'DataCloneError', 25, true]);
    expect(r.abort.timeout).toEqual(['DOMException', 'TimeoutError', 23, true]);
    expect(r['blob-file-formdata'].parsed).toEqual(['v\r\nx', 'a.txt', 'text/plain', 'b.bin', 'v', 1]);
    expect(r.crypto.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(r.crypto.hmac).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(r.base64).toEqual({
      atob: ['hello', 'hi', 'a'], btoa: ['aGn/', ''],
      badAtob: ['DOMException', 'InvalidCharacterError', 5, true], badBtoa: ['DOMException', 'InvalidCharacterError', 5, true],
    });
    expect(r.timers).toEqual({ first: 'micro', rest: ['iv', 'iv', 't1:xy'], idType: 'number' });
    expect(r.compression.text).toBe('hello hello hello');
    expect(r['streams-more']).toEqual({ a: [[1, 2, 3]], b: [[1, 2, 3]], clone: ['clone', 'clone'], aborted: 'stop' });
    expect(r['crypto-more']).toMatchObject({ roundTrip: 'secret', jwk: ['oct', 'A128GCM', 'AAAAAAAAAAAAAAAAAAAAAA', 2], ecdsa: [64, true, 'public'], clonedKey: ['public', 'P-256'] });
    expect(r['encoding-legacy-stream']).toEqual(['', '\u3042A', '\u4e00']);
    expect(r['messaging-transfer']).toEqual({ byteLength: 3, detached: 0, ports: 1 });
    expect(r['fetch-network']).toEqual({ head: [201, 'v', 'text/plain'], text: 'POST /echo?x=1 upload' });
    expect(r['fetch-data-url']).toEqual({ status: 200, type: 'text/plain;charset=utf-8', text: 'h\u00e9', bad: ['TypeError', 'TypeError'] });
    for (const [name, value] of Object.entries(r)) {
      expect([name, JSON.stringify(value)]).not.toEqual([name, expect.stringMatching(/^\["(TIMEOUT|THREW|rejected)"/)]);
    }
    expect(control.logs.map((l) => l.split('\n')[0])).toEqual([
      'Uncaught NotFoundError: boom', 'Uncaught AbortError: from listener', 'log 5 x { a: [ 1 ] }', 'DataError: logged',
    ]);
    expect(control.logs[3]).toMatch(/Uint8Array\(2\) \[ 1, 2 \]$/);
    expect(r['performance-domexception-console'].clonedDOMException).toEqual(['SyntaxError', 'cloned', 12]);
  });

  for (const mode of ['throw', 'lie'] as const) {
    it(`with ${mode === 'throw' ? 'throwing' : 'lying'} stand-ins: same results, no stand-in ever called`, async () => {
      const { run, logs } = await runExercises(mode);
      // The walk reached the whole realm and replaced all of it except what no one can replace.
      expect(run.targets).toBeGreaterThan(1100);
      expect(run.skipped.map(([path]) => path)).toEqual(IMMUTABLE);
      expect(run.replaced).toBe(run.targets - IMMUTABLE.length);
      expect({ calls: run.calls, firstCalls: run.firstCalls }).toEqual({ calls: {}, firstCalls: [] });
      expect(run.results).toEqual(control.run.results);
      expect(logs).toEqual(control.logs);
    });
  }
});

// The same, through the real request path: the tenant's module top level replaces everything
// (after capturing what its handler needs), then its handler returns streamed and JSON responses
// and reads request bodies. The dispatcher, the body plumbing and the host must not care.
function tamperedWorkerScript(mode: 'throw' | 'lie'): string {
  return `
    ${LIB}
    const T = makeTamper(${JSON.stringify(mode)});
    const O = { Promise, Uint8Array, String, JSON };
    const log = console.log;
    T.hooks.onCall = (path) => log('TAMPER-CALL ' + path);
    const { C, M, G, F, cb, then } = T;
    const bytes = (s) => { const u = new O.Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u; };
    T.install();

    const routes = {
      '/stream': () => C('Response', C('ReadableStream', {
        start: cb((c) => {
          M('ReadableStreamDefaultController.prototype.enqueue', c, bytes('hello '));
          M('ReadableStreamDefaultController.prototype.enqueue', c, bytes('stream'));
          M('ReadableStreamDefaultController.prototype.close', c);
        }),
      }), { status: 207, headers: { 'content-type': 'text/plain', 'x-a': 'b' } }),
      '/json': (request, env, ctx) => {
        const late = new O.Promise((resolve) => F('setTimeout', cb(resolve), 1));
        T.arm();
        ctx.waitUntil(late);
        T.disarm();
        return F('Response.json', { a: [1, 'two'], n: null, method: G('Request.prototype.method', request) }, { status: 201 });
      },
      '/async': () => new O.Promise((resolve) => {
        F('setTimeout', cb(() => resolve(F('Response.json', { late: true }))), 1);
      }),
      '/echo': (request) => new O.Promise((resolve, reject) => {
        then(M('Request.prototype.text', request), (t) => {
          // (A Headers object as HeadersInit would be iterated through Headers.prototype[@@iterator],
          // as WebIDL requires: a sequence carrying its own iterator instead.)
          const headers = T.seq([T.seq(['set-cookie', 'a=1']), T.seq(['set-cookie', 'b=2'])]);
          resolve(C('Response', t.toUpperCase(), { headers }));
        }, reject);
      }),
      '/byob': (request) => new O.Promise((resolve, reject) => {
        const reader = M('ReadableStream.prototype.getReader', G('Request.prototype.body', request), { mode: 'byob' });
        let total = 0;
        const step = () => then(M('ReadableStreamBYOBReader.prototype.read', reader, new O.Uint8Array(1000)), (r) => {
          if (r.done) return resolve(F('Response.json', { total }));
          total += r.value.byteLength;
          step();
        }, reject);
        step();
      }),
      '/big': () => {
        let sent = 0;
        return C('Response', C('ReadableStream', {
          pull: cb((c) => {
            if (sent === 64) return M('ReadableStreamDefaultController.prototype.close', c);
            const chunk = new O.Uint8Array(4096);
            chunk.fill(97 + (sent % 26));
            sent++;
            M('ReadableStreamDefaultController.prototype.enqueue', c, chunk);
          }),
        }));
      },
      '/throws': () => { throw C('DOMException', 'nope', 'NotAllowedError'); },
    };
    export default {
      fetch: cb((request, env, ctx) => {
        const path = G('URL.prototype.pathname', C('URL', G('Request.prototype.url', request)));
        return routes[path](request, env, ctx);
      }),
    };
  `;
}

describe('tamper: a tenant that replaces everything at module top level (createWorker)', () => {
  for (const mode of ['throw', 'lie'] as const) {
    describe(`${mode === 'throw' ? 'throwing' : 'lying'} stand-ins`, () => {
      let worker: IsleWorker;
      const logs: LogRecord[] = [];
      const tamperCalls = () => logs.filter((l) => l.message.startsWith('TAMPER-CALL')).map((l) => l.message);
      beforeAll(async () => {
        worker = await createWorker({ script: tamperedWorkerScript(mode), onLog: (r) => logs.push(r) });
      });
      beforeEach(() => {
        logs.length = 0;
      });
      afterAll(() => worker.dispose());

      it('streams a ReadableStream response', async () => {
        const res = await worker.fetch('http://localhost/stream');
        expect([res.status, res.headers.get('x-a'), await res.text()]).toEqual([207, 'b', 'hello stream']);
        expect(tamperCalls()).toEqual([]);
      });

      it('returns Response.json (and waits for waitUntil)', async () => {
        const res = await worker.fetch('http://localhost/json', { method: 'PUT', body: 'x' });
        expect([res.status, res.headers.get('content-type'), await res.json()])
          .toEqual([201, 'application/json', { a: [1, 'two'], n: null, method: 'PUT' }]);
        const late = await worker.fetch('http://localhost/async');
        expect(await late.json()).toEqual({ late: true });
        expect(tamperCalls()).toEqual([]);
      });

      it('reads the request body and sets cookies', async () => {
        const res = await worker.fetch('http://localhost/echo', { method: 'POST', body: 'shout it' });
        expect([res.status, res.headers.getSetCookie(), await res.text()]).toEqual([200, ['a=1', 'b=2'], 'SHOUT IT']);
        expect(tamperCalls()).toEqual([]);
      });

      it('reads a streamed request body with a BYOB reader', async () => {
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(3000).fill(i));
            c.close();
          },
        });
        const res = await worker.fetch('http://localhost/byob', { method: 'POST', body, duplex: 'half' } as RequestInit);
        expect(await res.json()).toEqual({ total: 15000 });
        expect(tamperCalls()).toEqual([]);
      });

      it('streams a large pulled body', async () => {
        const res = await worker.fetch('http://localhost/big');
        const body = new Uint8Array(await res.arrayBuffer());
        expect(body.length).toBe(64 * 4096);
        expect([body[0], body[4096], body[body.length - 1]]).toEqual([97, 98, 97 + (63 % 26)]);
        expect(tamperCalls()).toEqual([]);
      });

      it('reports a thrown DOMException as a 500 with its name', async () => {
        const res = await worker.fetch('http://localhost/throws');
        expect(res.status).toBe(500);
        expect(await res.text()).toContain('NotAllowedError: nope');
        expect(tamperCalls()).toEqual([]);
      });
    });
  }
});

describe('tamper: a service-worker script that replaces everything before adding its listener', () => {
  let worker: IsleWorker;
  const logs: LogRecord[] = [];
  beforeAll(async () => {
    worker = await createWorker({
      script: `
        ${LIB}
        const T = makeTamper('throw');
        const log = console.log;
        T.hooks.onCall = (path) => log('TAMPER-CALL ' + path);
        const { C, M, G, F, cb } = T;
        T.install();
        M('EventTarget.prototype.addEventListener', globalThis, 'fetch', cb((event) => {
          const url = G('Request.prototype.url', event.request);
          const response = F('Response.json', { url, sw: true });
          const later = new Promise((resolve) => F('setTimeout', cb(resolve), 1));
          T.arm();
          event.waitUntil(later);
          event.respondWith(response);
          T.disarm();
        }));
        export {};
      `,
      onLog: (r) => logs.push(r),
    });
  });
  afterAll(() => worker.dispose());

  it('answers through respondWith, no stand-in called', async () => {
    const res = await worker.fetch('http://localhost/sw');
    const text = await res.text();
    expect([res.status, text]).toEqual([200, JSON.stringify({ url: 'http://localhost/sw', sw: true })]);
    expect(logs.filter((l) => l.message.startsWith('TAMPER-CALL')).map((l) => l.message)).toEqual([]);
  });
});
