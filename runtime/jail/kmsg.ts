// Naming the syscall a seccomp kill was for. The kernel's audit subsystem records every
// SECCOMP_RET_KILL_* decision (`type=1326 … pid=N … sig=31 arch=c000003e syscall=101 …`); with no
// audit daemon running the record goes to the kernel log, which the supervisor reads from
// /dev/kmsg when it may (root, or kernel.dmesg_restrict=0). The pid in the record is the global one,
// the same bwrap reports through --info-fd.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { syscallName } from './syscalls-x86_64.ts';

export interface SeccompRecord {
  pid: number;
  syscall: number;
  name: string;
  arch: string;
  signal: number;
  comm?: string;
}

export function parseSeccompRecord(line: string): SeccompRecord | undefined {
  if (!/type=1326\b/.test(line)) return undefined;
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}=("[^"]*"|\\S+)`).exec(line)?.[1];
  const pid = Number(field('pid'));
  const syscall = Number(field('syscall'));
  if (!Number.isInteger(pid) || !Number.isInteger(syscall)) return undefined;
  const arch = field('arch') ?? '';
  const comm = field('comm')?.replace(/^"|"$/g, '');
  return {
    pid,
    syscall,
    name: arch === 'c000003e' ? syscallName(syscall) ?? `syscall ${syscall}` : `syscall ${syscall} (arch ${arch})`,
    arch,
    signal: Number(field('sig') ?? 0),
    ...(comm !== undefined && { comm }),
  };
}

/** Reads whatever /dev/kmsg holds now (non-blocking). Throws when the log is not readable. */
function readKernelLog(): string[] {
  const fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  const lines: string[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (let i = 0; i < 100_000; i++) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        if (code === 'EPIPE') continue; // a record was overwritten while we read: skip it
        throw e;
      }
      if (n <= 0) break;
      lines.push(buf.toString('utf8', 0, n));
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

export type KillLookup = { found: SeccompRecord } | { found: undefined; why: string };

/**
 * Finds the kill record for `pid`, waiting up to `waitMs` for it to reach the log (the audit
 * record is written from the dying task, but printed asynchronously).
 */
export async function findSeccompKill(pid: number, waitMs = 1_000): Promise<KillLookup> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let lines: string[];
    try {
      lines = readKernelLog();
    } catch (e) {
      return { found: undefined, why: `the kernel log is not readable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); see dmesg or the audit log` };
    }
    for (let i = lines.length - 1; i >= 0; i--) {
      const r = parseSeccompRecord(lines[i]!);
      if (r && r.pid === pid) return { found: r };
    }
    if (Date.now() >= deadline) return { found: undefined, why: 'no audit record for it in the kernel log (an audit daemon may have taken it)' };
    await new Promise((r) => setTimeout(r, 50));
  }
}
