// Starts and keeps alive the host child of `worker serve`. The supervisor binds the listening
// socket itself and keeps its copy across host restarts, so while a crashed host is restarted the
// kernel keeps queueing connections instead of refusing them.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as net from 'node:net';
import type { Isolation } from '../host/engine.ts';
import type { HostSettings } from './host-main.ts';
import type { HostMessage, SupervisorMessage } from './ipc.ts';

const hostMain = fileURLToPath(new URL('./host-main.ts', import.meta.url));

interface TcpHandle {
  fd: number;
  getsockname(out: { address?: string; port?: number }): number;
  close(): void;
}

/**
 * A TCP socket bound to host:port but not accepting (Node's cluster module uses the same
 * internal). libuv defers EADDRINUSE to listen(), so the bind is checked with getsockname.
 */
export function bindListeningSocket(host: string, port: number): { fd: number; port: number; close(): void } {
  const create = (net as unknown as { _createServerHandle(a: string, p: number, t: number): TcpHandle | number })._createServerHandle;
  const handle = create(host, port, net.isIPv6(host) ? 6 : 4);
  if (typeof handle === 'number') throw new Error(`cannot bind ${host}:${port}: error ${handle}`);
  const out: { address?: string; port?: number } = {};
  const rc = handle.getsockname(out);
  if (rc !== 0 || !out.port || (port !== 0 && out.port !== port)) {
    handle.close();
    const reason = rc === -98 ? 'address already in use' : rc === -13 ? 'permission denied' : `error ${rc}`;
    throw new Error(`cannot listen on ${host}:${port}: ${reason}`);
  }
  return { fd: handle.fd, port: out.port, close: () => handle.close() };
}

export interface HostProcessOptions {
  listenFd: number;
  port: number;
  bundleDir: string;
  baseDomain: string;
  trustProxy: boolean;
  isolation: Isolation;
  onMessage(m: HostMessage): void;
  /** Called right after each (re)start: push the tenant configuration (the host listens only once it has it). */
  onSpawn(): void;
  /** The host accepts connections. */
  onReady(): void;
  onCrash(info: { code: number | null; signal: string | null; restartInMs: number }): void;
}

// --expose-gc: the in-isolate runtime collects streamed-body garbage (runtime/api/worker/memory.ts).
const NODE_FLAGS = ['--no-node-snapshot', '--expose-gc', '--disable-warning=ExperimentalWarning'];

export class HostProcess {
  #options: HostProcessOptions;
  #child: ChildProcess | undefined;
  #stopping = false;
  #backoffMs = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #startedAt = 0;

  constructor(options: HostProcessOptions) {
    this.#options = options;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    const o = this.#options;
    const settings: HostSettings = {
      bundleDir: o.bundleDir,
      baseDomain: o.baseDomain,
      trustProxy: o.trustProxy,
      isolation: o.isolation,
      listenFd: 3,
      expectPort: o.port,
    };
    const argv = [...NODE_FLAGS, hostMain, '--settings', JSON.stringify(settings)];
    // stdio: 0-2 inherited, 3 = the listening socket, 4 = IPC.
    const child = spawn(process.execPath, argv, {
      stdio: ['ignore', 'inherit', 'inherit', o.listenFd, 'ipc'],
    });
    this.#child = child;
    this.#startedAt = Date.now();
    o.onSpawn();
    child.on('message', (m: HostMessage) => {
      if (m.type === 'ready') o.onReady();
      o.onMessage(m);
    });
    child.on('exit', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      if (this.#stopping) return;
      // Bounded back-off: 100 ms doubling to 5 s; a host that stayed up 30 s resets it.
      this.#backoffMs = Date.now() - this.#startedAt > 30_000 ? 100 : Math.min(Math.max(this.#backoffMs * 2, 100), 5_000);
      o.onCrash({ code, signal, restartInMs: this.#backoffMs });
      this.#restartTimer = setTimeout(() => this.start(), this.#backoffMs);
    });
  }

  send(message: SupervisorMessage): void {
    const child = this.#child;
    if (child?.connected) child.send(message);
  }

  /** Drains the host (in-flight requests finish, bounded), then stops it. */
  async stop(drainMs: number): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), drainMs + 2_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      if (child.connected) child.send({ type: 'drain', timeoutMs: drainMs } satisfies SupervisorMessage);
      else child.kill('SIGTERM');
    });
  }

  /** Kills the host at once (tests, crash drills). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.#child?.kill(signal);
  }
}
