// `worker dev --inspect`: lets Chrome DevTools debug the worker's isolate.
//
// The V8 inspector of an isolated-vm isolate speaks the DevTools protocol through
// `isolate.createInspectorSession()`. This server offers it the way Node does: /json/version and
// /json/list on http://127.0.0.1:PORT for chrome://inspect, and a WebSocket per DevTools client.
// It sits between the two and:
//   - follows the worker across isolates: a rebuild (or a crash) starts a new isolate; the server
//     attaches to it and replays the client's state (enabled domains, breakpoints, pause-on-
//     exceptions, …) so breakpoints survive, and tells DevTools the old contexts are gone;
//   - gives DevTools the bundle's source map as a data: URL with an absolute sourceRoot, so it
//     shows the tenant's TypeScript files;
//   - shows only the tenant's context and ignore-lists Isle's prelude (isle:…) when stepping;
//   - copies the tenant's console output into the DevTools console (Isle's console reaches the
//     host through an op, not through V8's console).
// The endpoint has no authentication (like node --inspect): it listens on loopback only and checks
// the Host header against DNS rebinding.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { WorkerBundle } from '../bundler/bundle.ts';
import type ivmTypes from 'isolated-vm';
import type { LogRecord } from '../host/log.ts';
import type { IsolateSession } from '../host/session.ts';
import { acceptWebSocket, type WebSocketConnection } from './websocket.ts';

/** Client messages whose effect must be replayed on a new isolate. Keyed so that the last one wins. */
function stateKey(method: string, params: Record<string, unknown> | undefined): string | undefined {
  if (/^(Runtime|Debugger|Profiler|HeapProfiler|Console)\.enable$/.test(method)) return method.replace('.enable', '');
  switch (method) {
    case 'Debugger.setPauseOnExceptions':
    case 'Debugger.setAsyncCallStackDepth':
    case 'Debugger.setBlackboxPatterns':
    case 'Debugger.setBreakpointsActive':
    case 'Debugger.setSkipAllPauses':
    case 'Runtime.setAsyncCallStackDepth':
      return method;
    case 'Debugger.setBreakpointByUrl':
      return `${method} ${JSON.stringify(params)}`;
    default:
      return undefined;
  }
}

/** Ids of messages the server sends itself; their responses are not forwarded. */
const INTERNAL_ID_BASE = 1_000_000_000;
const PRELUDE_PATTERN = '^isle:';
/** How long an isolate the worker has moved on from keeps running (in-flight requests, a paused debugger). */
const SUPERSEDED_GRACE_MS = 60_000;
/**
 * isolated-vm can lose the wake-up of a message dispatched just as the isolate enters its pause
 * loop (the message waits in its queue until the next one arrives). While paused with requests
 * unanswered, the server sends a no-op message this often to wake the loop.
 */
const PAUSED_NUDGE_MS = 25;
/** How long a detached V8 session may wait for V8's answers before it is disposed anyway. */
const RETIRE_MAX_MS = 2_000;

export interface InspectorOptions {
  host?: string;
  port: number;
  /** Shown in chrome://inspect. */
  title: string;
  /** Project root: the source map's sourceRoot, so DevTools shows file:// paths of the sources. */
  root: string;
}

interface Target {
  session: IsolateSession;
  bundle: WorkerBundle;
}

export class InspectorServer {
  readonly id = randomUUID();
  #server: Server;
  #options: InspectorOptions;
  #target: Target | undefined;
  #client: WebSocketConnection | undefined;
  #v8: ivmTypes.InspectorSession | undefined;
  #state = new Map<string, { method: string; params?: Record<string, unknown> }>();
  /** Breakpoint id → state key of the setBreakpointByUrl that made it (for removeBreakpoint). */
  #breakpoints = new Map<string, string>();
  #pendingBreakpoints = new Map<number, string>();
  #queue: string[] = [];
  #nextInternalId = INTERNAL_ID_BASE;
  #contextId: number | undefined;
  #clientBlackbox: string[] = [];
  /** Client requests dispatched to V8 and not answered yet. */
  #outstanding = new Set<number>();
  #paused = false;
  #nudger: ReturnType<typeof setInterval> | undefined;
  /** Isolates replaced by a rebuild, disposed after a grace period (or at close). */
  #superseded = new Map<IsolateSession, ReturnType<typeof setTimeout>>();
  /** Protocol messages dispatched to each V8 session and not answered yet. */
  #unanswered = new Map<ivmTypes.InspectorSession, number>();
  /** V8 sessions detached from DevTools, waiting for their unanswered messages before disposal. */
  #retiring = new Map<ivmTypes.InspectorSession, ReturnType<typeof setTimeout>>();

  private constructor(server: Server, options: InspectorOptions) {
    this.#server = server;
    this.#options = options;
  }

  static async start(options: InspectorOptions): Promise<InspectorServer> {
    const server = createServer();
    const inspector = new InspectorServer(server, options);
    server.on('request', (req, res) => {
      if (!inspector.#hostAllowed(req.headers.host)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('Host header is not a loopback address or localhost.\n');
        return;
      }
      const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
      res.setHeader('content-type', 'application/json; charset=UTF-8');
      if (path === '/json/version') {
        res.end(JSON.stringify({ Browser: 'Isle', 'Protocol-Version': '1.3' }));
      } else if (path === '/json' || path === '/json/list') {
        res.end(JSON.stringify([inspector.#describe(req.headers.host!)]));
      } else {
        res.writeHead(404).end(JSON.stringify({ error: 'not found' }));
      }
    });
    server.on('upgrade', (req, socket, head) => {
      if (!inspector.#hostAllowed(req.headers.host) || (req.url ?? '').split('?')[0] !== `/${inspector.id}`) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const ws = acceptWebSocket(req, socket, head);
      if (ws) inspector.#connect(ws);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return inspector;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get address(): string {
    const a = this.#server.address() as AddressInfo;
    return `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  get webSocketUrl(): string {
    return `ws://${this.address}/${this.id}`;
  }

  /** The DevTools front end, opened directly (chrome://inspect finds the target too). */
  get devtoolsUrl(): string {
    return `devtools://devtools/bundled/js_app.html?experiments=true&v8only=true&ws=${this.address}/${this.id}`;
  }

  /** DNS rebinding protection: only loopback addresses and localhost may name this server. */
  #hostAllowed(host: string | undefined): boolean {
    if (!host) return false;
    const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
    return name === 'localhost' || name.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1';
  }

  #describe(host: string) {
    const ws = `${host}/${this.id}`;
    return {
      description: 'Isle worker (worker dev --inspect)',
      devtoolsFrontendUrl: `devtools://devtools/bundled/js_app.html?experiments=true&v8only=true&ws=${ws}`,
      devtoolsFrontendUrlCompat: `devtools://devtools/bundled/inspector.html?experiments=true&v8only=true&ws=${ws}`,
      faviconUrl: 'https://nodejs.org/static/images/favicons/favicon.ico',
      id: this.id,
      title: this.#options.title,
      type: 'node',
      url: pathToFileURL(this.#options.root).href,
      webSocketDebuggerUrl: `ws://${ws}`,
    };
  }

  /** The engine's hook: a new isolate for the worker (before its bundle runs). */
  attach(session: IsolateSession, bundle: WorkerBundle): void {
    const previous = this.#target;
    this.#target = { session, bundle };
    session.onDispose(() => {
      if (this.#target?.session === session) {
        this.#detachV8();
        this.#target = undefined;
      }
    });
    if (previous && previous.session !== session) {
      // The worker moved on (rebuild): keep the old isolate only briefly, for requests in flight.
      const old = previous.session;
      const timer = setTimeout(() => {
        this.#superseded.delete(old);
        old.dispose();
      }, SUPERSEDED_GRACE_MS);
      timer.unref();
      this.#superseded.set(old, timer);
    }
    this.#detachV8();
    if (this.#client && !this.#client.closed) this.#attachV8();
  }

  /** Tenant console output, shown in the DevTools console too. */
  log(record: LogRecord): void {
    if (record.kind !== 'tenant' || !this.#client || this.#contextId === undefined || !this.#state.has('Runtime')) return;
    const type = record.level === 'warn' ? 'warning' : record.level === 'log' ? 'log' : record.level;
    this.#client.send(JSON.stringify({
      method: 'Runtime.consoleAPICalled',
      params: {
        type,
        args: [{ type: 'string', value: record.message }],
        executionContextId: this.#contextId,
        timestamp: record.time,
      },
    }));
  }

  async close(): Promise<void> {
    clearInterval(this.#nudger);
    this.#client?.close(1001, 'worker dev is stopping');
    this.#detachV8();
    // Detached V8 sessions go first, then superseded isolates, in order, not by a timer that may
    // fire during exit (isolated-vm aborts the process when isolates and inspector state are torn
    // down out of order). A session still owed answers gets a moment to receive them.
    const owed = [...this.#retiring.keys()];
    const until = Date.now() + RETIRE_MAX_MS;
    while (owed.some((v8) => this.#retiring.has(v8)) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    for (const [v8, timer] of this.#retiring) {
      clearTimeout(timer);
      try {
        v8.dispose();
      } catch {}
    }
    this.#retiring.clear();
    for (const [old, timer] of this.#superseded) {
      clearTimeout(timer);
      old.dispose();
    }
    this.#superseded.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #connect(ws: WebSocketConnection): void {
    // One DevTools client at a time: a new one takes over.
    if (this.#client && !this.#client.closed) this.#client.close(1001, 'another DevTools client attached');
    this.#detachV8();
    this.#state.clear();
    this.#breakpoints.clear();
    this.#queue = [];
    this.#client = ws;
    ws.onMessage = (text) => this.#fromClient(ws, text);
    ws.onClose = () => {
      if (this.#client !== ws) return;
      this.#client = undefined;
      this.#detachV8();
    };
    if (this.#target) this.#attachV8();
  }

  #attachV8(): void {
    const target = this.#target!;
    if (target.session.disposed) return;
    let v8: ivmTypes.InspectorSession;
    try {
      v8 = target.session.isolate.createInspectorSession();
    } catch (e) {
      target.session.log.system('warn', `DevTools cannot attach: ${(e as Error).message}`);
      return;
    }
    this.#v8 = v8;
    this.#contextId = undefined;
    v8.onResponse = (id, message) => {
      this.#unanswered.set(v8, (this.#unanswered.get(v8) ?? 1) - 1);
      this.#fromV8Response(id, message);
    };
    v8.onNotification = (message) => this.#fromV8Notification(message);
    // Replay the client's state on this isolate, then what it sent while no isolate was there.
    for (const { method, params } of this.#state.values()) this.#dispatchInternal(method, params);
    this.#dispatchInternal('Debugger.setBlackboxPatterns', { patterns: [...this.#clientBlackbox, PRELUDE_PATTERN] });
    const queued = this.#queue;
    this.#queue = [];
    for (const text of queued) this.#dispatch(text);
  }

  #detachV8(): void {
    const wasPaused = this.#paused;
    this.#paused = false;
    this.#outstanding.clear();
    const v8 = this.#v8;
    if (!v8) return;
    this.#v8 = undefined;
    this.#retire(v8, wasPaused);
    if (this.#client && !this.#client.closed) {
      // The isolate is gone: DevTools drops its scripts and, if it was paused, resumes.
      this.#client.send(JSON.stringify({ method: 'Debugger.resumed', params: {} }));
      this.#client.send(JSON.stringify({ method: 'Runtime.executionContextsCleared', params: {} }));
    }
  }

  /**
   * Disposes a detached V8 session only once V8 answered every message dispatched to it.
   * isolated-vm frees a session's channel as soon as it is disposed, while messages it already
   * queued are still handled on the isolate's thread, which then answers through the freed channel
   * and aborts the whole process ("pure virtual method called"). A paused isolate is resumed first.
   */
  #retire(v8: ivmTypes.InspectorSession, paused: boolean): void {
    const dispose = () => {
      const timer = this.#retiring.get(v8);
      if (timer === undefined) return;
      clearTimeout(timer);
      this.#retiring.delete(v8);
      this.#unanswered.delete(v8);
      try {
        v8.dispose();
      } catch {}
    };
    v8.onNotification = () => {};
    v8.onResponse = () => {
      const left = (this.#unanswered.get(v8) ?? 1) - 1;
      this.#unanswered.set(v8, left);
      if (left <= 0) setImmediate(dispose);
    };
    // If V8 never answers (its isolate was disposed meanwhile), give up waiting after a while.
    const timer = setTimeout(dispose, RETIRE_MAX_MS);
    timer.unref();
    this.#retiring.set(v8, timer);
    if (paused) this.#send(v8, { id: this.#nextInternalId++, method: 'Debugger.resume' });
    if ((this.#unanswered.get(v8) ?? 0) === 0) setImmediate(dispose);
  }

  /** Every message to V8 goes through here, so that #retire knows what is still unanswered. */
  #send(v8: ivmTypes.InspectorSession, message: string | object): void {
    v8.dispatchProtocolMessage(typeof message === 'string' ? message : JSON.stringify(message));
    this.#unanswered.set(v8, (this.#unanswered.get(v8) ?? 0) + 1);
  }

  /** While paused with requests unanswered, wake the pause loop now and then (see PAUSED_NUDGE_MS). */
  #nudgeIfPaused(): void {
    if (this.#nudger || !this.#paused) return;
    this.#nudger = setInterval(() => {
      if (!this.#v8 || !this.#paused || this.#outstanding.size === 0) {
        clearInterval(this.#nudger);
        this.#nudger = undefined;
        return;
      }
      // Any message wakes the loop; an unknown method is answered with an error and changes nothing.
      this.#dispatchInternal('Isle.wake');
    }, PAUSED_NUDGE_MS);
    this.#nudger.unref();
  }

  #dispatchInternal(method: string, params?: Record<string, unknown>): void {
    try {
      if (this.#v8) this.#send(this.#v8, { id: this.#nextInternalId++, method, ...(params && { params }) });
    } catch {}
  }

  #dispatch(text: string): void {
    try {
      this.#send(this.#v8!, text);
    } catch {
      // The isolate went away between checks: keep the message for the next one.
      this.#queue.push(text);
    }
  }

  #fromClient(ws: WebSocketConnection, text: string): void {
    let message: { id?: number; method?: string; params?: Record<string, unknown> };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const { id, method, params } = message;
    if (typeof method !== 'string') return;
    if (method === 'Debugger.setBlackboxPatterns') {
      // Keep Isle's prelude ignore-listed whatever the client's own list is.
      this.#clientBlackbox = Array.isArray(params?.patterns) ? (params.patterns as string[]) : [];
      text = JSON.stringify({ ...message, params: { ...params, patterns: [...this.#clientBlackbox, PRELUDE_PATTERN] } });
    }
    const key = stateKey(method, params);
    if (key) this.#state.set(key, { method, ...(params && { params }) });
    if (method.endsWith('.disable')) this.#state.delete(method.replace('.disable', ''));
    if (method === 'Debugger.setBreakpointByUrl' && typeof id === 'number') this.#pendingBreakpoints.set(id, key!);
    if (method === 'Debugger.removeBreakpoint' && typeof params?.breakpointId === 'string') {
      const made = this.#breakpoints.get(params.breakpointId);
      if (made) this.#state.delete(made);
      this.#breakpoints.delete(params.breakpointId);
    }
    if (ws !== this.#client) return;
    if (typeof id === 'number') this.#outstanding.add(id);
    if (this.#v8) this.#dispatch(text);
    else this.#queue.push(text);
    this.#nudgeIfPaused();
  }

  #fromV8Response(id: number, text: string): void {
    if (id >= INTERNAL_ID_BASE) return;
    this.#outstanding.delete(id);
    const made = this.#pendingBreakpoints.get(id);
    if (made !== undefined) {
      this.#pendingBreakpoints.delete(id);
      try {
        const breakpointId = JSON.parse(text).result?.breakpointId;
        if (typeof breakpointId === 'string') this.#breakpoints.set(breakpointId, made);
      } catch {}
    }
    this.#client?.send(text);
  }

  #fromV8Notification(text: string): void {
    const client = this.#client;
    if (!client) return;
    if (text.startsWith('{"method":"Debugger.paused"')) {
      this.#paused = true;
      this.#nudgeIfPaused();
    } else if (text.startsWith('{"method":"Debugger.resumed"')) {
      this.#paused = false;
    }
    if (text.startsWith('{"method":"Runtime.executionContextCreated"')) {
      const message = JSON.parse(text);
      const context = message.params.context;
      // isolated-vm reports its own default context too; the tenant's is the one it made for us.
      if (context.name !== '<isolated-vm>') return;
      this.#contextId = context.id;
      context.name = `Isle worker (${this.#options.title})`;
      context.auxData = { ...context.auxData, isDefault: true };
      client.send(JSON.stringify(message));
      return;
    }
    if (text.startsWith('{"method":"Debugger.scriptParsed"')) {
      const message = JSON.parse(text);
      const target = this.#target;
      if (target && message.params.url === target.bundle.filename) {
        message.params.sourceMapURL = this.#sourceMapUrl(target.bundle);
        client.send(JSON.stringify(message));
        return;
      }
    }
    client.send(text);
  }

  #sourceMaps = new WeakMap<WorkerBundle, string>();

  /** The bundle's map as a data: URL; sources resolve against the project root. */
  #sourceMapUrl(bundle: WorkerBundle): string {
    let url = this.#sourceMaps.get(bundle);
    if (!url) {
      const map = JSON.parse(bundle.map);
      map.sourceRoot = pathToFileURL(this.#options.root).href.replace(/\/?$/, '/');
      url = `data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
      this.#sourceMaps.set(bundle, url);
    }
    return url;
  }
}
