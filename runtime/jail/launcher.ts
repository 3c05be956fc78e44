// The supervisor's side of the jail: everything needed to start `worker serve`'s host inside it.
//
// HostJail.start (once per supervisor): checks that bubblewrap and user namespaces work (fails
// closed with one message naming the cause and the fixes), decides the jail's uid (an unprivileged
// one when the supervisor is root), lays out what the jail mounts (staging a readable copy of what
// that uid cannot reach), starts the egress broker on a unix socket inside the stage, and compiles
// and self-checks the seccomp filter.
// HostJail.spawn (every host start): runs bwrap with an empty environment and only the expected fds
// (stdio, the listening socket at 3, the IPC channel at 4, the seccomp program and the info pipe,
// which bwrap consumes and closes), learns the host's pid from --info-fd so the supervisor can
// signal it directly.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Resolver } from '../host/egress/connect.ts';
import { encodeProgram } from './bpf.ts';
import { startEgressBroker, type BrokerDecision, type EgressBroker } from './broker.ts';
import { buildBwrapArgs, checkJailAvailable, JAIL_NODE, unavailableMessage, type JailMount, type JailUnavailable } from './bwrap.ts';
import { neutralizedStdio } from './fd-audit.ts';
import { findSeccompKill, type KillLookup } from './kmsg.ts';
import { compilePolicy, HOST_POLICY, verifyProgram } from './seccomp.ts';
import { JailStage, reachable, runtimeDependencies, treeReadable, type JailIdentity } from './stage.ts';

export const JAIL_APP = '/app';
export const JAIL_BUNDLES = '/bundles';
export const JAIL_EGRESS_DIR = '/run/egress';
export const JAIL_BROKER_SOCKET = `${JAIL_EGRESS_DIR}/egress.sock`;

/** The uid/gid the jail runs as when the supervisor is root: nobody/nogroup. */
export const DEFAULT_JAIL_IDENTITY: JailIdentity = Object.freeze({ uid: 65534, gid: 65534 });

export class JailUnavailableError extends Error {
  override name = 'JailUnavailableError';
  readonly reason: string;
  constructor(u: JailUnavailable) {
    super(unavailableMessage(u));
    this.reason = u.cause;
  }
}

export interface HostJailOptions {
  /** Isle's install root: package.json, runtime/, node_modules/. */
  appRoot: string;
  /** Node binary for the host (default: the supervisor's). */
  nodeBinary?: string;
  /** The bundle store's directory (mounted read-only). */
  bundleDir: string;
  /** Who the jail runs as (default: the supervisor's uid, or 65534 when that is root). */
  identity?: JailIdentity;
  /** The broker's per-tenant grants: the admin's, from the store. */
  rulesFor(tenant: string): readonly string[] | undefined;
  logEgress(decision: BrokerDecision): void;
  bwrap?: string;
  /** Where the stage directory is made (default: the OS temp directory). */
  stageBase?: string;
  // Test hooks (never set by the CLI):
  /** Extra read-only mounts (the test fixture's probe code). */
  extraMounts?: readonly JailMount[];
  /** The broker's DNS (a stub in tests). */
  brokerResolver?: Resolver;
  /** Syscalls the policy does not name: ENOSYS (default) or KILL (drift check). */
  unknownSyscalls?: 'enosys' | 'kill';
  /** A tracer command bwrap runs under (`strace -f -o FILE`, the drift check). */
  tracer?: readonly string[];
}

export interface JailedHost {
  /** The bwrap process (its exit status is the host's: 128+N when the host died of signal N). */
  child: ChildProcess;
  /** The host's pid outside the jail, once bwrap reported it. */
  readonly hostPid: number | undefined;
  readonly hostPidKnown: Promise<number | undefined>;
  /** Signals the host itself (bwrap does not forward signals); falls back to bwrap before the pid is known. */
  signal(sig: NodeJS.Signals): void;
}

/** bwrap exits 128+N when the host died of signal N: the signal name, if so. */
export function hostSignal(code: number | null, signal: NodeJS.Signals | null): NodeJS.Signals | null {
  if (signal) return signal;
  if (code === null || code <= 128 || code >= 128 + 65) return null;
  const n = code - 128;
  for (const [name, value] of Object.entries(osConstants.signals)) if (value === n) return name as NodeJS.Signals;
  return null;
}

function defaultIdentity(): JailIdentity {
  const uid = process.getuid!();
  return uid === 0 ? DEFAULT_JAIL_IDENTITY : { uid, gid: process.getgid!() };
}

function within(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) return rel === '' ? '' : undefined;
  return rel;
}

export class HostJail {
  readonly identity: JailIdentity;
  readonly broker: EgressBroker;
  readonly stage: JailStage;
  /** Whether app and Node were staged (copied/linked) because the jail's uid could not reach them. */
  readonly staged: { app: boolean; node: boolean; bundles: boolean };
  #o: HostJailOptions;
  #program: Buffer;
  #mounts: JailMount[];
  #node: string;
  #appRoot: string;
  #bundlesDirect: boolean;
  #exposed = new Set<string>();
  #devNull: number;
  #bwrap: string;

  private constructor(init: {
    o: HostJailOptions; bwrap: string; identity: JailIdentity; broker: EgressBroker; stage: JailStage; program: Buffer; mounts: JailMount[];
    node: string; bundlesDirect: boolean; staged: { app: boolean; node: boolean; bundles: boolean };
  }) {
    this.#o = init.o;
    this.#bwrap = init.bwrap;
    this.identity = init.identity;
    this.broker = init.broker;
    this.stage = init.stage;
    this.#program = init.program;
    this.#mounts = init.mounts;
    this.#node = init.node;
    this.#appRoot = resolve(init.o.appRoot);
    this.#bundlesDirect = init.bundlesDirect;
    this.staged = init.staged;
    this.#devNull = openSync('/dev/null', 'r');
  }

  /** Checks the machine, prepares the view, starts the broker. Throws JailUnavailableError (fail closed). */
  static async start(o: HostJailOptions): Promise<HostJail> {
    const identity = o.identity ?? defaultIdentity();
    const available = checkJailAvailable({
      ...(o.bwrap && { bwrap: o.bwrap }),
      ...(identity.uid !== process.getuid!() && { uid: identity.uid, gid: identity.gid }),
    });
    if (!available.ok) throw new JailUnavailableError(available);

    const program = compilePolicy(HOST_POLICY, { unknown: o.unknownSyscalls ?? 'enosys' });
    verifyProgram(program, HOST_POLICY, { unknown: o.unknownSyscalls ?? 'enosys' });

    const appRoot = resolve(o.appRoot);
    const stage = new JailStage(identity, o.stageBase);
    try {
      const mounts: JailMount[] = [];
      // The app: package.json (module type), runtime/, and the runtime dependencies only.
      const deps = runtimeDependencies(appRoot);
      const parts: { source: string; rel: string }[] = [
        { source: join(appRoot, 'package.json'), rel: 'package.json' },
        { source: join(appRoot, 'runtime'), rel: 'runtime' },
        ...deps.map((d) => ({ source: d.dir, rel: `node_modules/${d.name}` })),
      ];
      const appReadable = parts.every((p) => (statSync(p.source).isDirectory() ? treeReadable(p.source, identity) : reachable(p.source, identity)));
      if (appReadable) {
        for (const p of parts) mounts.push({ source: p.source, dest: `${JAIL_APP}/${p.rel}` });
      } else {
        for (const p of parts) stage.put(p.source, `app/${p.rel}`);
        mounts.push({ source: join(stage.root, 'app'), dest: JAIL_APP });
      }
      const nodeBinary = o.nodeBinary ?? process.execPath;
      const nodeReadable = reachable(nodeBinary, identity);
      const node = nodeReadable ? nodeBinary : stage.put(nodeBinary, 'node/node');

      // Bundles: the store directly when the jail's uid can reach it (new bundles appear at once),
      // else a staged directory that bundles are linked into when the host is told about them.
      const bundlesDirect = reachable(o.bundleDir, identity);
      mounts.push({ source: bundlesDirect ? o.bundleDir : stage.readableDir('bundles'), dest: JAIL_BUNDLES });

      for (const m of o.extraMounts ?? []) {
        const readable = statSync(m.source).isDirectory() ? treeReadable(m.source, identity) : reachable(m.source, identity);
        mounts.push({ source: readable ? m.source : stage.put(m.source, `extra${m.dest}`), dest: m.dest });
      }

      const egressDir = stage.privateDir('egress');
      const socketPath = join(egressDir, 'egress.sock');
      const broker = await startEgressBroker({
        socketPath,
        rulesFor: o.rulesFor,
        log: o.logEgress,
        ...(o.brokerResolver && { resolver: o.brokerResolver }),
      });
      stage.shareSocket(socketPath);
      mounts.push({ source: egressDir, dest: JAIL_EGRESS_DIR });
      return new HostJail({
        o, bwrap: available.bwrap, identity, broker, stage, program: encodeProgram(program), mounts, node, bundlesDirect,
        staged: { app: !appReadable, node: !nodeReadable, bundles: !bundlesDirect },
      });
    } catch (e) {
      stage.dispose();
      throw e;
    }
  }

  /** Makes a bundle visible under /bundles (a no-op when the store is mounted directly). */
  exposeBundle(bundleId: string): void {
    if (this.#bundlesDirect || this.#exposed.has(bundleId)) return;
    if (!/^[0-9a-f]{64}$/.test(bundleId)) return;
    for (const suffix of ['.js', '.js.map']) {
      try {
        this.stage.put(join(this.#o.bundleDir, bundleId + suffix), `bundles/${bundleId}${suffix}`);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    this.#exposed.add(bundleId);
  }

  /** The in-jail path of an outside file the jail mounts (the host entry, probe code). */
  insidePath(outside: string): string {
    const abs = resolve(outside);
    const inApp = within(this.#appRoot, abs);
    if (inApp !== undefined && (inApp === 'package.json' || inApp === 'runtime' || inApp.startsWith(`runtime${sep}`))) {
      return `${JAIL_APP}/${inApp.split(sep).join('/')}`;
    }
    for (const m of this.#o.extraMounts ?? []) {
      const rel = within(resolve(m.source), abs);
      if (rel !== undefined) return rel ? `${m.dest}/${rel.split(sep).join('/')}` : m.dest;
    }
    throw new Error(`${outside} is not visible inside the jail`);
  }

  /** The bwrap command line for a host start (exposed for tests and `--print` style diagnostics). */
  bwrapArgs(entry: string, args: readonly string[], nodeFlags: readonly string[]): string[] {
    return buildBwrapArgs({
      node: this.#node,
      mounts: this.#mounts,
      // The only environment: what Node's IPC channel needs (Node removes it from process.env at start).
      env: { NODE_CHANNEL_FD: '4', NODE_CHANNEL_SERIALIZATION_MODE: 'json' },
      command: [JAIL_NODE, ...nodeFlags, this.insidePath(entry), ...args],
      seccompFd: 5,
      infoFd: 6,
      chdir: JAIL_APP,
    });
  }

  /** Starts one host: fd 3 = the listening socket, fd 4 = IPC; stdout/stderr are pipes. */
  spawn(o: { entry: string; args: readonly string[]; nodeFlags: readonly string[]; listenFd: number }): JailedHost {
    const args = this.bwrapArgs(o.entry, o.args, o.nodeFlags);
    const stdio = neutralizedStdio(['ignore', 'pipe', 'pipe', o.listenFd, 'ipc', 'pipe', 'pipe'], this.#devNull);
    const dropping = this.identity.uid !== process.getuid!() || this.identity.gid !== process.getgid!();
    const bwrap = this.#bwrap;
    const [command, ...prefix] = this.#o.tracer?.length ? [...this.#o.tracer, bwrap] : [bwrap];
    const child = spawn(command!, [...prefix, ...args], {
      env: {},
      stdio: stdio as never,
      ...(dropping && { uid: this.identity.uid, gid: this.identity.gid }),
    });
    const seccompPipe = (child.stdio as unknown as (Writable | null)[])[5];
    seccompPipe?.on('error', () => {}); // bwrap failed before reading it: its exit says why
    seccompPipe?.end(this.#program);
    let hostPid: number | undefined;
    const hostPidKnown = new Promise<number | undefined>((resolvePid) => {
      const info = (child.stdio as unknown as (Readable | null)[])[6];
      let text = '';
      if (!info) return resolvePid(undefined);
      info.setEncoding('utf8');
      info.on('data', (chunk: string) => {
        text += chunk;
        try {
          const pid = (JSON.parse(text) as { 'child-pid'?: number })['child-pid'];
          if (typeof pid === 'number' && hostPid === undefined) {
            hostPid = pid;
            resolvePid(pid);
          }
        } catch {
          // incomplete JSON: wait for more
        }
      });
      info.on('error', () => {});
      info.on('close', () => resolvePid(hostPid));
      child.once('exit', () => resolvePid(hostPid));
    });
    return {
      child,
      get hostPid() {
        return hostPid;
      },
      hostPidKnown,
      signal(sig: NodeJS.Signals) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (hostPid !== undefined) {
          try {
            process.kill(hostPid, sig);
            return;
          } catch {
            // gone already
          }
        }
        child.kill(sig);
      },
    };
  }

  /** Names the syscall a seccomp kill of `hostPid` was for (from the kernel's audit record). */
  explainKill(hostPid: number): Promise<KillLookup> {
    return findSeccompKill(hostPid);
  }

  async close(): Promise<void> {
    await this.broker.close();
    try {
      closeSync(this.#devNull);
    } catch {}
    this.stage.dispose();
  }
}
