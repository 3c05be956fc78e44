// Starts and keeps alive the host child of `worker serve`. The supervisor binds the listening
// socket itself and keeps its copy across host restarts, so while a crashed host is restarted the
// kernel keeps queueing connections instead of refusing them.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as net from 'node:net';
import type { Isolation } from '../host/engine.ts';
import { neutralizedStdio } from '../jail/fd-audit.ts';
import { hostSignal, JAIL_BROKER_SOCKET, JAIL_BUNDLES, type HostJail, type JailedHost } from '../jail/launcher.ts';
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
  /** Run the host inside the OS jail (runtime/jail/). */
  jail?: HostJail;
  /** The in-isolate prelude, sent to every host first (a jailed host cannot build it: esbuild forks). */
  prelude?: { code: string; hash: string };
  /** Drain budget of a host stopped by signal (ms). */
  drainMs?: number;
  /** The host was killed for a forbidden syscall (seccomp): a security event. */
  onSecurityEvent?(event: SecurityEvent): void;
  /** Test hook: a host entry module wrapping runHost (default: host-main.ts). Never set by the CLI. */
  entry?: string;
  /** `worker dev --jail`: the one tenant, served in development mode for any host name. */
  dev?: { tenant: string };
}

export interface SecurityEvent {
  kind: 'seccomp-kill';
  /** The host's pid outside the jail. */
  hostPid: number | undefined;
  /** The syscall, when the kernel's audit record could be read. */
  syscall?: string;
  nr?: number;
  /** Human text: what happened and, if the syscall is unknown, why. */
  message: string;
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
  #jailed: JailedHost | undefined;

  constructor(options: HostProcessOptions) {
    this.#options = options;
  }

  /** The host's pid (outside the jail when jailed). */
  get pid(): number | undefined {
    return this.#jailed ? this.#jailed.hostPid : this.#child?.pid;
  }

  /** The bwrap process of a jailed host. */
  get bwrapPid(): number | undefined {
    return this.#jailed ? this.#child?.pid : undefined;
  }

  /** Resolves with the pid once it is known (a jailed host's pid comes from bwrap's --info-fd). */
  async hostPid(): Promise<number | undefined> {
    return this.#jailed ? this.#jailed.hostPidKnown : this.#child?.pid;
  }

  #signal(sig: NodeJS.Signals): void {
    if (this.#jailed) this.#jailed.signal(sig);
    else this.#child?.kill(sig);
  }

  start(): void {
    const o = this.#options;
    const jail = o.jail;
    const settings: HostSettings = {
      bundleDir: jail ? JAIL_BUNDLES : o.bundleDir,
      baseDomain: o.baseDomain,
      trustProxy: o.trustProxy,
      isolation: o.isolation,
      listenFd: 3,
      ipcFd: 4,
      expectPort: o.port,
      ...(jail && { egressBroker: JAIL_BROKER_SOCKET }),
      ...(o.prelude && { preludeOverIpc: true }),
      ...(o.drainMs !== undefined && { drainMs: o.drainMs }),
      ...(o.dev && { dev: o.dev }),
    };
    const entry = o.entry ?? hostMain;
    const args = ['--settings', JSON.stringify(settings)];
    let child: ChildProcess;
    let jailed: JailedHost | undefined;
    if (jail) {
      // stdio: 0 /dev/null, 1-2 pipes (forwarded), 3 = the listening socket, 4 = IPC.
      jailed = jail.spawn({ entry, args, nodeFlags: NODE_FLAGS, listenFd: o.listenFd });
      child = jailed.child;
      child.stdout?.pipe(process.stdout, { end: false });
      child.stderr?.pipe(process.stderr, { end: false });
    } else {
      // stdio: 0-2 inherited, 3 = the listening socket, 4 = IPC; fds this process inherited without
      // close-on-exec are overwritten with /dev/null in the child (the host refuses stray fds).
      const devNull = openSync('/dev/null', 'r');
      try {
        child = spawn(process.execPath, [...NODE_FLAGS, entry, ...args], {
          stdio: neutralizedStdio(['ignore', 'inherit', 'inherit', o.listenFd, 'ipc'], devNull) as never,
        });
      } finally {
        closeSync(devNull);
      }
    }
    this.#child = child;
    this.#jailed = jailed;
    this.#startedAt = Date.now();
    // A host that dies at once makes IPC writes fail (EPIPE): its exit is what gets reported.
    child.on('error', () => {});
    if (o.prelude && child.connected) child.send({ type: 'prelude', ...o.prelude } satisfies SupervisorMessage);
    o.onSpawn();
    child.on('message', (m: HostMessage) => {
      if (m.type === 'ready') o.onReady();
      o.onMessage(m);
    });
    child.on('exit', (code, rawSignal) => {
      if (this.#child === child) {
        this.#child = undefined;
        this.#jailed = undefined;
      }
      // A jailed host's fate arrives as bwrap's exit status (128 + signal).
      const signal = jailed ? hostSignal(code, rawSignal) : rawSignal;
      if (signal === 'SIGSYS' && jail) void this.#reportSeccompKill(jail, jailed!.hostPid);
      if (this.#stopping) return;
      // Bounded back-off: 100 ms doubling to 5 s; a host that stayed up 30 s resets it.
      this.#backoffMs = Date.now() - this.#startedAt > 30_000 ? 100 : Math.min(Math.max(this.#backoffMs * 2, 100), 5_000);
      o.onCrash({ code: signal ? null : code, signal, restartInMs: this.#backoffMs });
      this.#restartTimer = setTimeout(() => this.start(), this.#backoffMs);
    });
  }

  async #reportSeccompKill(jail: HostJail, hostPid: number | undefined): Promise<void> {
    const report = this.#options.onSecurityEvent;
    if (!report) return;
    if (hostPid === undefined) {
      report({ kind: 'seccomp-kill', hostPid, message: 'the host was killed by seccomp (SIGSYS) for a forbidden syscall; its pid was not known' });
      return;
    }
    const lookup = await jail.explainKill(hostPid);
    if (lookup.found) {
      const r = lookup.found;
      report({
        kind: 'seccomp-kill', hostPid, syscall: r.name, nr: r.syscall,
        message: `the host (pid ${hostPid}) was killed by seccomp for calling ${r.name} (syscall ${r.syscall}), which it never makes: possible sandbox escape attempt`,
      });
    } else {
      report({ kind: 'seccomp-kill', hostPid, message: `the host (pid ${hostPid}) was killed by seccomp (SIGSYS) for a forbidden syscall; which one is unknown: ${lookup.why}` });
    }
  }

  send(message: SupervisorMessage): void {
    const child = this.#child;
    if (!child?.connected) return;
    const jail = this.#options.jail;
    if (jail) {
      // A jail whose uid cannot reach the store sees bundles only once they are staged.
      if (message.type === 'tenants') for (const t of message.tenants) jail.exposeBundle(t.bundleId);
      else if (message.type === 'tenant' || message.type === 'validate') jail.exposeBundle(message.type === 'tenant' ? message.tenant.bundleId : message.bundleId);
    }
    child.send(message);
  }

  /** Drains the host (in-flight requests finish, bounded), then stops it. */
  async stop(drainMs: number): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => this.#signal('SIGKILL'), drainMs + 2_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      if (child.connected) child.send({ type: 'drain', timeoutMs: drainMs } satisfies SupervisorMessage);
      else this.#signal('SIGTERM');
    });
  }

  /** Signals the host itself (jailed: its pid, not bwrap's). Tests and crash drills. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.#signal(signal);
  }
}
