// `worker dev --inspect`: the DevTools endpoint, driven the way Chrome DevTools drives it (a
// WebSocket speaking the DevTools protocol), against a real dev server and real isolates.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLimits } from '../../runtime/config/limits.ts';
import { startDevServer, type DevServer } from '../../runtime/dev/dev-server.ts';
import { InspectorServer } from '../../runtime/dev/inspector.ts';
import { clientFrame } from '../../runtime/dev/websocket.ts';
import { writeProject } from '../support/project.ts';

const SOURCE = `export default {
  async fetch(request: Request): Promise<Response> {
    const greeting = 'hello';
    console.log('handling ' + new URL(request.url).pathname);
    return new Response(greeting + ' from v1');
  },
};
`;

let dir: string;
let inspector: InspectorServer;
let server: DevServer;

beforeAll(async () => {
  dir = writeProject({ 'isle.json': JSON.stringify({ name: 'inspected', main: 'src/index.ts' }), 'src/index.ts': SOURCE });
  inspector = await InspectorServer.start({ port: 0, title: 'inspected', root: dir });
  server = await startDevServer({
    entry: join(dir, 'src/index.ts'),
    root: dir,
    host: '127.0.0.1',
    port: 0,
    env: {},
    limits: resolveLimits({ cpuMs: 3_600_000, wallMs: 3_600_000, startupMs: 3_600_000 }),
    isolation: 'tenant',
    allowEgress: [],
    watch: true,
    out: () => {},
    err: () => {},
    inspector: { attach: (session, bundle) => inspector.attach(session, bundle), log: (r) => inspector.log(r) },
  });
});

afterAll(async () => {
  // Inspector sessions go before the isolates they are attached to (isolated-vm can crash the
  // process when an isolate is disposed under a live inspector session).
  await inspector?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A DevTools-like client: numbered commands, recorded notifications. */
class DevTools {
  #ws: WebSocket;
  #id = 0;
  #pending = new Map<number, (m: any) => void>();
  events: any[] = [];
  #waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener('message', (e) => {
      const m = JSON.parse(String(e.data));
      if (m.id !== undefined) {
        this.#pending.get(m.id)?.(m);
        this.#pending.delete(m.id);
        return;
      }
      this.events.push(m);
      for (const w of [...this.#waiters]) {
        if (w.pred(m)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
  }

  static async connect(url: string): Promise<DevTools> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve);
      ws.addEventListener('error', reject);
    });
    return new DevTools(ws);
  }

  send(method: string, params?: Record<string, unknown>): Promise<any> {
    const id = ++this.#id;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#ws.send(JSON.stringify({ id, method, ...(params && { params }) }));
    });
  }

  /** The first notification (already received or coming) matching `pred`. */
  next(pred: (m: any) => boolean, timeoutMs = 10_000): Promise<any> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching notification; got ${this.events.map((e) => e.method).join(', ')}`)), timeoutMs);
      this.#waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  close(): void {
    this.#ws.close();
  }
}

function get(url: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('discovery', () => {
  it('lists the worker for chrome://inspect', async () => {
    const base = `http://127.0.0.1:${inspector.port}`;
    const version = JSON.parse((await get(`${base}/json/version`)).body);
    expect(version['Protocol-Version']).toBe('1.3');
    const [target, ...rest] = JSON.parse((await get(`${base}/json/list`)).body);
    expect(rest).toEqual([]);
    expect(target).toMatchObject({ type: 'node', title: 'inspected', id: inspector.id, webSocketDebuggerUrl: inspector.webSocketUrl });
    expect(target.devtoolsFrontendUrl).toContain(`ws=127.0.0.1:${inspector.port}/${inspector.id}`);
  });

  it('refuses foreign Host headers (DNS rebinding) and unknown paths', async () => {
    expect((await get(`http://127.0.0.1:${inspector.port}/json/list`, 'attacker.example:9229')).status).toBe(403);
    expect((await get(`http://127.0.0.1:${inspector.port}/json/list`, `localhost:${inspector.port}`)).status).toBe(200);
    expect((await get(`http://127.0.0.1:${inspector.port}/nope`)).status).toBe(404);
  });
});

describe('debugging', () => {
  it('shows the TypeScript source, stops on a breakpoint, evaluates, mirrors console, follows a rebuild', async () => {
    const devtools = await DevTools.connect(inspector.webSocketUrl);
    try {
      await devtools.send('Runtime.enable');
      await devtools.send('Debugger.enable');
      const contexts = devtools.events.filter((e) => e.method === 'Runtime.executionContextCreated');
      expect(contexts).toHaveLength(1);
      expect(contexts[0].params.context).toMatchObject({ name: 'Isle worker (inspected)', auxData: { isDefault: true } });

      const script = await devtools.next((m) => m.method === 'Debugger.scriptParsed' && m.params.url === 'worker.js');
      const [prefix, data] = script.params.sourceMapURL.split(',');
      expect(prefix).toBe('data:application/json;charset=utf-8;base64');
      const map = JSON.parse(Buffer.from(data, 'base64').toString());
      expect(map.sourceRoot).toBe(`file://${dir}/`);
      expect(map.sources).toEqual(['src/index.ts']);
      expect(map.sourcesContent[0]).toBe(SOURCE);

      const { result } = await devtools.send('Debugger.getScriptSource', { scriptId: script.params.scriptId });
      const line = result.scriptSource.split('\n').findIndex((l: string) => l.includes('console.log("handling "'));
      expect(line).toBeGreaterThan(0);
      const bp = await devtools.send('Debugger.setBreakpointByUrl', { url: 'worker.js', lineNumber: line, columnNumber: 0 });
      expect(bp.result.locations).toHaveLength(1);

      const response = fetch(`${server.url}/first`).then((r) => r.text());
      const paused = await devtools.next((m) => m.method === 'Debugger.paused');
      expect(paused.params.callFrames[0].location.lineNumber).toBe(line);
      const value = await devtools.send('Debugger.evaluateOnCallFrame', { callFrameId: paused.params.callFrames[0].callFrameId, expression: 'greeting.toUpperCase()' });
      expect(value.result.result.value).toBe('HELLO');
      await devtools.send('Debugger.resume');
      expect(await response).toBe('hello from v1');
      const logged = await devtools.next((m) => m.method === 'Runtime.consoleAPICalled');
      expect(logged.params).toMatchObject({ type: 'log', args: [{ type: 'string', value: 'handling /first' }], executionContextId: contexts[0].params.context.id });

      // Edit → rebuild → a new isolate: DevTools is told, gets the new script, and the breakpoint still holds.
      devtools.events.length = 0;
      writeFileSync(join(dir, 'src/index.ts'), readFileSync(join(dir, 'src/index.ts'), 'utf8').replace('v1', 'v2'));
      await devtools.next((m) => m.method === 'Runtime.executionContextsCleared');
      await devtools.next((m) => m.method === 'Debugger.scriptParsed' && m.params.url === 'worker.js');
      const second = fetch(`${server.url}/second`).then((r) => r.text());
      const pausedAgain = await devtools.next((m) => m.method === 'Debugger.paused');
      expect(pausedAgain.params.callFrames[0].location.lineNumber).toBe(line);
      await devtools.send('Debugger.resume');
      expect(await second).toBe('hello from v2');

      // Removing the breakpoint: requests run through.
      await devtools.send('Debugger.removeBreakpoint', { breakpointId: bp.result.breakpointId });
      expect(await (await fetch(`${server.url}/third`)).text()).toBe('hello from v2');
    } finally {
      devtools.close();
    }
  });
});

describe('WebSocket framing', () => {
  /** A raw client: handshake, then frames by hand; resolves with the server's frames. */
  function raw(frames: Buffer[], waitMs = 300): Promise<{ opcode: number; payload: Buffer }[]> {
    return new Promise((resolve, reject) => {
      const socket = connect(inspector.port, '127.0.0.1');
      let buffer = Buffer.alloc(0);
      let upgraded = false;
      const out: { opcode: number; payload: Buffer }[] = [];
      socket.on('error', reject);
      socket.on('connect', () => {
        socket.write(
          `GET /${inspector.id} HTTP/1.1\r\nHost: 127.0.0.1:${inspector.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      socket.on('data', (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (!upgraded) {
          const end = buffer.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buffer.subarray(0, end).toString();
          expect(head).toMatch(/^HTTP\/1\.1 101/);
          expect(head).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
          upgraded = true;
          buffer = buffer.subarray(end + 4);
          for (const f of frames) socket.write(f);
          setTimeout(() => {
            socket.destroy();
            resolve(out);
          }, waitMs);
        }
        while (buffer.length >= 2) {
          let len = buffer[1]! & 0x7f;
          let offset = 2;
          if (len === 126) {
            if (buffer.length < 4) return;
            len = buffer.readUInt16BE(2);
            offset = 4;
          }
          if (buffer.length < offset + len) return;
          out.push({ opcode: buffer[0]! & 0x0f, payload: buffer.subarray(offset, offset + len) });
          buffer = buffer.subarray(offset + len);
        }
      });
    });
  }

  it('answers pings, joins fragmented messages, and closes on unmasked frames', async () => {
    const command = JSON.stringify({ id: 7, method: 'Runtime.evaluate', params: { expression: '6 * 7', contextId: 1 } });
    const frames = await raw([
      clientFrame('are you there', 0x9),
      clientFrame(command.slice(0, 20), 0x1, false),
      clientFrame(command.slice(20), 0x0, true),
    ], 1000);
    expect(frames[0]).toMatchObject({ opcode: 0xa });
    expect(frames[0]!.payload.toString()).toBe('are you there');
    const reply = frames.slice(1).map((f) => JSON.parse(f.payload.toString())).find((m) => m.id === 7);
    expect(reply).toBeDefined();

    const unmasked = Buffer.from([0x81, 0x02, 0x68, 0x69]);
    const closed = await raw([unmasked]);
    expect(closed.at(-1)?.opcode).toBe(0x8);
    expect(closed.at(-1)!.payload.readUInt16BE(0)).toBe(1002);
  });
});
