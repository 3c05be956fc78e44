// bubblewrap command lines for the host jail, and the check that bubblewrap can run here.
//
// The jail: new user, pid, mount, network, IPC, UTS and cgroup namespaces; no nested user
// namespaces (--disable-userns); no capabilities; an empty environment apart from what Node's IPC
// channel needs; Node as pid 1 (so no bwrap process, its argv or its environment is visible inside);
// a root built from scratch: the shared libraries, the Node binary, the app and the bundle store
// read-only, a small tmpfs /tmp, a minimal read-only /dev, its own /proc, and nothing else (no /etc,
// /home, /root, /sys, /var, no shell).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, lstatSync, readlinkSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface JailMount {
  /** Path outside the jail. */
  source: string;
  /** Path inside the jail. */
  dest: string;
  /** Writable bind (default read-only). Nothing in the host's jail uses it today. */
  writable?: boolean;
}

export interface BwrapOptions {
  /** Node binary (outside path); it appears as /opt/node/bin/node. */
  node: string;
  /** Everything else the host sees, read-only unless `writable`. */
  mounts: readonly JailMount[];
  /** Environment inside (after --clearenv). */
  env: Readonly<Record<string, string>>;
  /** Command inside (argv[0] is the in-jail Node path). */
  command: readonly string[];
  /** fd (in bwrap) the seccomp program is read from. */
  seccompFd?: number;
  /** fd bwrap writes `{"child-pid": N, …}` to. */
  infoFd?: number;
  /** Size of the /tmp tmpfs (bytes). */
  tmpBytes?: number;
  /** uid/gid inside the jail (bwrap maps them to the caller's outside ids). */
  insideUid?: number;
  insideGid?: number;
  hostname?: string;
  chdir?: string;
  /** Outside library directories bound at the same paths (default: the system's, see systemLibraryBinds). */
  libraries?: readonly string[];
  /** /lib, /lib64 style symlinks in the jail root (merged-/usr systems). */
  symlinks?: readonly { target: string; path: string }[];
}

export const JAIL_NODE = '/opt/node/bin/node';

const NAMESPACES = ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup', '--unshare-net'];

/** The shared-library directories Node needs, as they exist on this machine (merged /usr or not). */
export function systemLibraryBinds(): { libraries: string[]; symlinks: { target: string; path: string }[] } {
  const libraries: string[] = [];
  const symlinks: { target: string; path: string }[] = [];
  const kind = (p: string): 'dir' | 'link' | 'none' => {
    try {
      const st = lstatSync(p);
      return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'none';
    } catch {
      return 'none';
    }
  };
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib64']) if (kind(dir) === 'dir') libraries.push(dir);
  for (const top of ['/lib', '/lib64']) {
    const k = kind(top);
    if (k === 'link') symlinks.push({ target: readlinkSync(top), path: top });
    else if (k === 'dir') {
      for (const sub of top === '/lib' ? ['/lib/x86_64-linux-gnu'] : ['/lib64']) if (kind(sub) === 'dir') libraries.push(sub);
    }
  }
  return { libraries, symlinks };
}

export function buildBwrapArgs(o: BwrapOptions): string[] {
  const args: string[] = [
    ...NAMESPACES,
    '--disable-userns',
    '--uid', String(o.insideUid ?? 1000),
    '--gid', String(o.insideGid ?? 1000),
    '--hostname', o.hostname ?? 'isle-jail',
    '--die-with-parent',
    '--new-session',
    '--cap-drop', 'ALL',
    '--as-pid-1',
    '--clearenv',
  ];
  for (const [k, v] of Object.entries(o.env)) args.push('--setenv', k, v);
  const libs = o.libraries ?? systemLibraryBinds().libraries;
  const links = o.symlinks ?? (o.libraries ? [] : systemLibraryBinds().symlinks);
  for (const dir of libs) args.push('--ro-bind', dir, dir);
  for (const l of links) args.push('--symlink', l.target, l.path);
  args.push('--ro-bind', o.node, JAIL_NODE);
  for (const m of o.mounts) {
    if (!m.dest.startsWith('/') || m.dest.split('/').includes('..')) throw new Error(`jail mount destination must be absolute: ${m.dest}`);
    args.push(m.writable ? '--bind' : '--ro-bind', m.source, m.dest);
  }
  args.push(
    '--dev', '/dev',
    '--proc', '/proc',
    '--size', String(o.tmpBytes ?? 16 * 1024 * 1024), '--tmpfs', '/tmp',
    '--remount-ro', '/dev',
    '--remount-ro', '/',
    '--chdir', o.chdir ?? '/',
  );
  if (o.infoFd !== undefined) args.push('--info-fd', String(o.infoFd));
  if (o.seccompFd !== undefined) args.push('--seccomp', String(o.seccompFd));
  args.push('--', ...o.command);
  return args;
}

export type JailUnavailable = { ok: false; cause: string; detail: string };

/**
 * The bwrap executable: an absolute path as given, else the first `bwrap` on the supervisor's PATH.
 * (Resolved here because the jail is spawned with an empty environment, where a PATH lookup would
 * fall back to the libc default and could find a different binary than the operator's PATH.)
 */
export function findBwrap(name = 'bwrap', path = process.env.PATH ?? ''): string | undefined {
  const usable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (name.includes('/')) return isAbsolute(name) && usable(name) ? name : undefined;
  for (const dir of path.split(delimiter)) if (dir && isAbsolute(dir) && usable(join(dir, name))) return join(dir, name);
  return undefined;
}

/** What to tell an operator whose machine cannot run the jail. */
export function unavailableMessage(u: JailUnavailable): string {
  return [
    `isle: cannot start the OS jail: ${u.cause}.`,
    u.detail ? `  (${u.detail.trim().split('\n').slice(-2).join(' / ')})` : '',
    '  Fix: install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap);',
    '  in a container, allow user namespaces (Docker: --security-opt seccomp=unconfined --security-opt apparmor=unconfined,',
    '  or a seccomp profile that permits unshare/clone/mount); on Ubuntu 24.04+, set',
    '  kernel.apparmor_restrict_unprivileged_userns=0 or give bwrap an AppArmor profile; systemd units must not set',
    '  RestrictNamespaces= or PrivateUsers= in a way that blocks user namespaces.',
    '  To run WITHOUT the jail (tenant code is then contained only by V8 isolates), pass --jail=off or set ISLE_JAIL=off.',
  ].filter(Boolean).join('\n');
}

/**
 * Runs bubblewrap once with the namespaces the jail uses, as the uid the jail will run as.
 * Fails closed: anything but a clean exit is a reason not to start.
 */
export function checkJailAvailable(options: { bwrap?: string; uid?: number; gid?: number } = {}): { ok: true; bwrap: string } | JailUnavailable {
  const bwrap = findBwrap(options.bwrap ?? 'bwrap');
  if (process.platform !== 'linux') return { ok: false, cause: `the jail needs Linux namespaces (this is ${process.platform})`, detail: '' };
  if (process.arch !== 'x64') return { ok: false, cause: `the jail's seccomp filter is built for x86_64 only (this is ${process.arch})`, detail: '' };
  if (!bwrap) return { ok: false, cause: 'bubblewrap (bwrap) is not installed (not found on PATH)', detail: '' };
  const r = spawnSync(bwrap, [...NAMESPACES, '--disable-userns', '--die-with-parent', '--cap-drop', 'ALL', '--ro-bind', '/', '/', '--', 'true'], {
    env: {},
    encoding: 'utf8',
    timeout: 10_000,
    ...(options.uid !== undefined && { uid: options.uid }),
    ...(options.gid !== undefined && { gid: options.gid }),
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, cause: 'bubblewrap (bwrap) is not installed', detail: '' };
    return { ok: false, cause: `bubblewrap could not be run (${code ?? r.error.message})`, detail: '' };
  }
  if (r.status === 0) return { ok: true, bwrap };
  const err = `${r.stderr ?? ''}`;
  if (/--disable-userns|unrecognized option/i.test(err)) return { ok: false, cause: 'this bubblewrap is too old (0.8 or newer is needed for --disable-userns)', detail: err };
  if (/No permissions to create new namespace|Operation not permitted|Permission denied|setting up uid map|Creating new namespace failed/i.test(err)) {
    return { ok: false, cause: 'user namespaces are not available to this user (denied by the kernel, a container runtime or AppArmor)', detail: err };
  }
  return { ok: false, cause: `bubblewrap failed (${r.signal ?? `exit ${r.status}`})`, detail: err };
}
