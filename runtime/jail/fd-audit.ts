// File descriptors crossing into the host. bwrap passes every fd it inherits that is not
// close-on-exec, and a single leaked directory fd is a full filesystem escape (openat relative to
// it reaches the outside root); a leaked socket or file is a channel the jail does not account for.
//
// Two halves:
//   - the supervisor side (`leakedFds`, `neutralizedStdio`): fds the supervisor itself inherited
//     without close-on-exec (a launcher's or a shell's leftovers, a parent's IPC channel) are
//     replaced by /dev/null in the child's fd table, since Node cannot close them between fork and
//     exec;
//   - the host side (`auditInheritedFds`): before serving, the host lists /proc/self/fd and refuses
//     to start on anything but its expected channels and Node's own internal fds.
import { fstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

const O_ACCMODE = 0o3;
const O_WRONLY = 0o1;
const O_CLOEXEC = 0o2000000;
/** makedev(1, 3): /dev/null. */
const DEV_NULL_RDEV = (1 << 8) | 3;

function fdFlags(fd: number): number | undefined {
  try {
    const m = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m ? parseInt(m[1]!, 8) : undefined;
  } catch {
    return undefined;
  }
}

function openFds(): number[] {
  // The directory fd readdir uses is closed again by the time the entries are examined.
  return readdirSync('/proc/self/fd').map(Number).filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
}

/** fds above 2 this process holds without close-on-exec: every child would inherit them. */
export function leakedFds(): number[] {
  if (process.platform !== 'linux') return [];
  const out: number[] = [];
  for (const fd of openFds()) {
    if (fd <= 2) continue;
    const flags = fdFlags(fd);
    if (flags !== undefined && (flags & O_CLOEXEC) === 0) out.push(fd);
  }
  return out;
}

export type StdioEntry = 'ignore' | 'inherit' | 'pipe' | 'ipc' | number;

/**
 * Extends a spawn stdio array so that every leaked fd slot is overwritten with `devNullFd` in the
 * child (slots already given a meaning are kept).
 */
export function neutralizedStdio(stdio: readonly StdioEntry[], devNullFd: number, leaked: readonly number[] = leakedFds()): StdioEntry[] {
  const out = [...stdio];
  for (const fd of leaked) {
    if (fd < out.length && out[fd] !== 'ignore') continue;
    while (out.length <= fd) out.push('ignore');
    out[fd] = devNullFd;
  }
  return out;
}

export interface FdExpectation {
  /** The inherited listening socket. */
  listenFd?: number;
  /** The IPC channel to the supervisor. */
  ipcFd?: number;
}

export interface FdFinding {
  fd: number;
  target: string;
  why: string;
}

interface FdInfo {
  fd: number;
  target: string;
  kind: 'dir' | 'file' | 'socket' | 'pipe' | 'null' | 'chardev' | 'blockdev' | 'anon' | 'other' | 'gone';
  flags: number | undefined;
}

function describeFd(fd: number): FdInfo {
  let target = '?';
  try {
    target = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return { fd, target, kind: 'gone', flags: undefined };
  }
  const flags = fdFlags(fd);
  if (target.startsWith('anon_inode:')) return { fd, target, kind: 'anon', flags };
  if (target.startsWith('pipe:')) return { fd, target, kind: 'pipe', flags };
  if (target.startsWith('socket:')) return { fd, target, kind: 'socket', flags };
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { fd, target, kind: 'dir', flags };
    if (st.isFile()) return { fd, target, kind: 'file', flags };
    if (st.isCharacterDevice()) return { fd, target, kind: st.rdev === DEV_NULL_RDEV ? 'null' : 'chardev', flags };
    if (st.isBlockDevice()) return { fd, target, kind: 'blockdev', flags };
    if (st.isFIFO()) return { fd, target, kind: 'pipe', flags };
    if (st.isSocket()) return { fd, target, kind: 'socket', flags };
  } catch {
    return { fd, target, kind: 'gone', flags };
  }
  return { fd, target, kind: 'other', flags };
}

/**
 * Every fd that should not be there. Accepted: stdin/stdout/stderr as /dev/null, pipes,
 * socketpairs or terminals (stdout/stderr may also be a write-only file), the listening socket and the IPC
 * socket at their expected numbers, /dev/null anywhere (the supervisor's neutralized slots),
 * and Node's own internal fds: anonymous inodes (epoll, eventfd, io_uring, timerfd) and
 * self-pipes (both ends open in this process).
 */
export function auditInheritedFds(expect: FdExpectation): FdFinding[] {
  const infos = openFds().map(describeFd).filter((i) => i.kind !== 'gone');
  const pipeCount = new Map<string, number>();
  for (const i of infos) if (i.kind === 'pipe') pipeCount.set(i.target, (pipeCount.get(i.target) ?? 0) + 1);
  const findings: FdFinding[] = [];
  const bad = (i: FdInfo, why: string) => findings.push({ fd: i.fd, target: i.target, why });
  for (const i of infos) {
    if (i.fd === expect.listenFd) {
      if (i.kind !== 'socket') bad(i, 'the listening socket is not a socket');
      continue;
    }
    if (i.fd === expect.ipcFd) {
      if (i.kind !== 'socket') bad(i, 'the IPC channel is not a socket');
      continue;
    }
    if (i.kind === 'null' || i.kind === 'anon') continue;
    if (i.fd <= 2) {
      // What the spawner set up: pipes or socketpairs (Node's 'pipe'), terminals, /dev/null.
      if (i.kind === 'pipe' || i.kind === 'socket' || i.kind === 'chardev') continue;
      if (i.kind === 'file' && i.fd > 0 && i.flags !== undefined && (i.flags & O_ACCMODE) === O_WRONLY) continue;
      bad(i, `unexpected ${i.kind} on standard fd ${i.fd}`);
      continue;
    }
    if (i.kind === 'pipe' && (pipeCount.get(i.target) ?? 0) >= 2) continue;
    bad(i, `unexpected inherited ${i.kind}`);
  }
  return findings;
}

/** Exit status of a host that refuses to start (EX_CONFIG). */
export const EXIT_REFUSED = 78;
