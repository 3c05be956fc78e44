// The host's seccomp policy and its compiler to classic BPF (passed to `bwrap --seccomp FD`,
// installed before bwrap execs Node, so it covers every thread the host ever has).
//
// Decisions (measured with Node 24 + isolated-vm; see docs of the jail in README "Security model"):
//   - any architecture but x86_64, and the x32 ABI (nr with bit 30)         → KILL_PROCESS
//   - the allow-list: what the host was measured to use plus harmless variants → ALLOW
//   - clone: CLONE_NEW* → KILL; CLONE_THREAD → ALLOW; anything else (fork-like) → EPERM
//   - fork, vfork → EPERM; socket/socketpair: AF_UNIX → ALLOW, any other family → EPERM
//   - ioctl: the terminal/fd queries libuv makes → ALLOW, others → ENOTTY
//   - clone3 and io_uring_setup → ENOSYS (glibc falls back to clone, whose flags can be checked;
//     libuv falls back to epoll)
//   - syscalls the host never makes and that only serve an attacker (ptrace, mount, namespaces,
//     bpf, keyrings, modules, kexec, …) → KILL_PROCESS: a hit means a compromised host, which the
//     supervisor reports and restarts
//   - everything else → ENOSYS, so a library that starts probing a new syscall degrades instead of
//     taking the host down (the drift test catches such changes).
import { jeq, jge, jset, loadWord, ret, runProgram, validateProgram, type Insn } from './bpf.ts';
import { syscallName, syscallNumber, X86_64_SYSCALLS } from './syscalls-x86_64.ts';

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const X32_SYSCALL_BIT = 0x40000000;

export const EPERM = 1;
export const ENOTTY = 25;
export const ENOSYS = 38;

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;

export const CLONE_THREAD = 0x00010000;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (CLONE_NEWTIME is clone3/unshare only). */
export const CLONE_NEW_MASK = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

// ioctl requests libuv / Node make on their own fds (isatty, terminal size, non-blocking, cloexec).
const TCGETS = 0x5401;
const TIOCGWINSZ = 0x5413;
const FIONREAD = 0x541b;
const FIONBIO = 0x5421;
const FIONCLEX = 0x5450;
const FIOCLEX = 0x5451;

export type SeccompAction = { kind: 'allow' } | { kind: 'errno'; errno: number } | { kind: 'kill' };

export const ALLOW: SeccompAction = Object.freeze({ kind: 'allow' });
export const KILL: SeccompAction = Object.freeze({ kind: 'kill' });
export const errno = (n: number): SeccompAction => ({ kind: 'errno', errno: n });

/** A syscall decided by one argument's low 32 bits: the first matching check wins, else `otherwise`. */
export interface ArgRule {
  arg: number;
  checks: readonly { test: 'jset' | 'jeq'; value: number; action: SeccompAction }[];
  otherwise: SeccompAction;
}

export interface SeccompPolicy {
  /** Allowed unconditionally; the order is the filter's order (hot syscalls first). */
  allow: readonly string[];
  /** Decided by an argument. */
  args: Readonly<Record<string, ArgRule>>;
  /** Refused with an errno (the caller is expected to cope). */
  errno: Readonly<Record<string, number>>;
  /** Never made by the host: the process is killed (a security event). */
  kill: readonly string[];
}

/**
 * What Node 24 + isolated-vm + undici inside the jail were measured to use (strace over a mixed
 * workload: isolate per request, egress through the broker, timeouts, OOMs, keep-alive), most
 * frequent first, then a margin of harmless variants the same code paths may take.
 */
const MEASURED = [
  'futex', 'epoll_pwait', 'munmap', 'read', 'write', 'mmap', 'madvise', 'getpid', 'mprotect',
  'clock_nanosleep', 'close', 'statx', 'epoll_ctl', 'accept4', 'setsockopt', 'shutdown', 'brk',
  'openat', 'connect', 'getsockopt', 'rt_sigprocmask', 'rt_sigaction', 'newfstatat', 'fcntl',
  'set_robust_list', 'rseq', 'capget', 'getuid', 'geteuid', 'getgid', 'getegid', 'prlimit64',
  'pread64', 'gettid', 'sched_getaffinity', 'fstat', 'prctl', 'exit', 'pipe2', 'getdents64',
  'getrandom', 'epoll_create1', 'uname', 'eventfd2', 'sched_getparam', 'sched_getscheduler', 'access',
  'readlink', 'execve', 'arch_prctl', 'set_tid_address', 'sysinfo', 'getsockname', 'listen',
];

const MARGIN = [
  'exit_group', 'rt_sigreturn', 'lseek', 'bind', 'getcwd', 'writev', 'readv', 'pwrite64', 'preadv',
  'pwritev', 'preadv2', 'pwritev2', 'recvmsg', 'sendmsg', 'recvfrom', 'sendto', 'recvmmsg', 'sendmmsg',
  'getpeername', 'accept', 'poll', 'ppoll', 'select', 'pselect6', 'epoll_wait', 'epoll_pwait2',
  'epoll_create', 'eventfd', 'nanosleep', 'clock_gettime', 'clock_getres', 'gettimeofday', 'time',
  'sched_yield', 'tgkill', 'tkill', 'kill', 'sigaltstack', 'rt_sigtimedwait', 'rt_sigpending',
  'mremap', 'msync', 'mincore', 'membarrier', 'dup', 'dup2', 'dup3', 'pipe', 'ftruncate', 'fsync',
  'fdatasync', 'getppid', 'getpgrp', 'getpgid', 'getsid', 'getresuid', 'getresgid', 'getgroups',
  'getrusage', 'getrlimit', 'times', 'getpriority', 'sched_get_priority_max', 'sched_get_priority_min',
  'restart_syscall', 'close_range', 'wait4', 'waitid', 'timerfd_create', 'timerfd_settime',
  'timerfd_gettime', 'stat', 'lstat', 'open', 'readlinkat', 'faccessat', 'faccessat2', 'fstatfs',
  'statfs', 'umask', 'futex_waitv', 'get_robust_list', 'seccomp',
];

/** Never made by the host; only useful to an attacker who escaped V8. */
const DANGEROUS = [
  'ptrace', 'process_vm_readv', 'process_vm_writev', 'process_madvise', 'pidfd_getfd', 'kcmp',
  'mount', 'umount2', 'pivot_root', 'chroot', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount',
  'open_tree', 'open_tree_attr', 'mount_setattr', 'statmount', 'listmount',
  'unshare', 'setns',
  'bpf', 'perf_event_open', 'userfaultfd', 'fanotify_init',
  'keyctl', 'add_key', 'request_key',
  'init_module', 'finit_module', 'delete_module', 'create_module', 'get_kernel_syms', 'query_module',
  'kexec_load', 'kexec_file_load', 'reboot', 'swapon', 'swapoff', 'syslog', 'acct', 'quotactl',
  'quotactl_fd', 'nfsservctl', 'uselib', 'lookup_dcookie', 'vhangup', 'sysfs', 'ustat', '_sysctl',
  'open_by_handle_at', 'name_to_handle_at',
  'io_uring_enter', 'io_uring_register',
  'personality', 'iopl', 'ioperm', 'modify_ldt',
  'settimeofday', 'clock_settime', 'clock_adjtime', 'adjtimex', 'sethostname', 'setdomainname',
  'migrate_pages', 'move_pages', 'mbind', 'set_mempolicy', 'get_mempolicy', 'set_mempolicy_home_node',
  'execveat',
];

export const HOST_POLICY: SeccompPolicy = Object.freeze<SeccompPolicy>({
  allow: [...MEASURED, ...MARGIN],
  args: {
    clone: {
      arg: 0,
      checks: [
        { test: 'jset', value: CLONE_NEW_MASK, action: KILL },
        { test: 'jset', value: CLONE_THREAD, action: ALLOW },
      ],
      otherwise: errno(EPERM),
    },
    socket: { arg: 0, checks: [{ test: 'jeq', value: AF_UNIX, action: ALLOW }], otherwise: errno(EPERM) },
    socketpair: { arg: 0, checks: [{ test: 'jeq', value: AF_UNIX, action: ALLOW }], otherwise: errno(EPERM) },
    ioctl: {
      arg: 1,
      checks: [TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIONCLEX, FIOCLEX].map((value) => ({ test: 'jeq' as const, value, action: ALLOW })),
      otherwise: errno(ENOTTY),
    },
  },
  errno: { clone3: ENOSYS, io_uring_setup: ENOSYS, fork: EPERM, vfork: EPERM },
  kill: DANGEROUS,
});

export interface CompileOptions {
  /** What syscalls the policy does not name get: ENOSYS (production) or KILL (drift check). */
  unknown?: 'enosys' | 'kill';
}

export function actionValue(action: SeccompAction): number {
  if (action.kind === 'allow') return SECCOMP_RET_ALLOW;
  if (action.kind === 'kill') return SECCOMP_RET_KILL_PROCESS;
  return (SECCOMP_RET_ERRNO | (action.errno & 0xffff)) >>> 0;
}

/** Reads a verdict back into an action (for logs and tests). */
export function describeVerdict(value: number): string {
  const v = value >>> 0;
  if (v === SECCOMP_RET_ALLOW) return 'ALLOW';
  if (v === SECCOMP_RET_KILL_PROCESS) return 'KILL_PROCESS';
  if (v === SECCOMP_RET_KILL_THREAD) return 'KILL_THREAD';
  if ((v & 0xffff0000) === SECCOMP_RET_ERRNO) return `ERRNO(${v & 0xffff})`;
  if ((v & 0xffff0000) === SECCOMP_RET_TRAP) return 'TRAP';
  if (v === SECCOMP_RET_LOG) return 'LOG';
  return `0x${v.toString(16)}`;
}

/** Offset of the low 32 bits of args[i] in seccomp_data (little-endian x86_64). */
const argLow = (i: number) => 16 + 8 * i;

/**
 * Compiles a policy to classic BPF. Layout: arch check, x32 check, then one block per syscall
 * (`jeq nr` + its decision; argument blocks load the argument and end in RET, so every jump is
 * short and A never needs reloading), then the default. Hot syscalls come first.
 */
export function compilePolicy(policy: SeccompPolicy = HOST_POLICY, options: CompileOptions = {}): Insn[] {
  const seen = new Map<string, string>();
  const claim = (name: string, where: string) => {
    syscallNumber(name); // throws on a name the table does not know
    const before = seen.get(name);
    if (before) throw new Error(`syscall ${name} is listed twice (${before} and ${where})`);
    seen.set(name, where);
  };
  for (const n of policy.allow) claim(n, 'allow');
  for (const n of Object.keys(policy.args)) claim(n, 'args');
  for (const n of Object.keys(policy.errno)) claim(n, 'errno');
  for (const n of policy.kill) claim(n, 'kill');

  const kill = SECCOMP_RET_KILL_PROCESS;
  const out: Insn[] = [
    loadWord(4), // arch
    jeq(AUDIT_ARCH_X86_64, 1, 0),
    ret(kill),
    loadWord(0), // nr
    jge(X32_SYSCALL_BIT, 0, 1), // x32 ABI (and negative numbers)
    ret(kill),
  ];
  const simple = (name: string, action: SeccompAction) => {
    out.push(jeq(syscallNumber(name), 0, 1), ret(actionValue(action)));
  };
  const argBlock = (name: string, rule: ArgRule) => {
    if (rule.arg < 0 || rule.arg > 5) throw new Error(`${name}: argument index ${rule.arg} out of range`);
    const body: Insn[] = [loadWord(argLow(rule.arg))];
    for (const c of rule.checks) {
      body.push(c.test === 'jset' ? jset(c.value, 0, 1) : jeq(c.value, 0, 1), ret(actionValue(c.action)));
    }
    body.push(ret(actionValue(rule.otherwise)));
    if (body.length > 255) throw new Error(`${name}: argument block too long for a BPF jump`);
    out.push(jeq(syscallNumber(name), 0, body.length), ...body);
  };

  // The first 16 allowed syscalls carry almost all the traffic; argument rules follow them.
  const hot = policy.allow.slice(0, 16);
  const rest = policy.allow.slice(16);
  for (const n of hot) simple(n, ALLOW);
  for (const [n, rule] of Object.entries(policy.args)) argBlock(n, rule);
  for (const n of rest) simple(n, ALLOW);
  for (const [n, e] of Object.entries(policy.errno)) simple(n, errno(e));
  for (const n of policy.kill) simple(n, KILL);
  out.push(ret(options.unknown === 'kill' ? kill : actionValue(errno(ENOSYS))));
  validateProgram(out);
  return out;
}

/** Evaluates the policy itself (no BPF) for one call: the reference the compiled program must match. */
export function policyDecision(policy: SeccompPolicy, call: { arch?: number; nr: number; args?: readonly (number | bigint)[] }, options: CompileOptions = {}): SeccompAction {
  const arch = call.arch ?? AUDIT_ARCH_X86_64;
  if (arch !== AUDIT_ARCH_X86_64) return KILL;
  if ((call.nr >>> 0) >= X32_SYSCALL_BIT) return KILL;
  const name = syscallName(call.nr);
  const unknown = options.unknown === 'kill' ? KILL : errno(ENOSYS);
  if (!name) return unknown;
  if (policy.allow.includes(name)) return ALLOW;
  const rule = policy.args[name];
  if (rule) {
    const a = Number(BigInt.asUintN(32, BigInt(call.args?.[rule.arg] ?? 0)));
    for (const c of rule.checks) {
      if (c.test === 'jset' ? (a & c.value) !== 0 : a === c.value >>> 0) return c.action;
    }
    return rule.otherwise;
  }
  if (name in policy.errno) return errno(policy.errno[name]!);
  if (policy.kill.includes(name)) return KILL;
  return unknown;
}

/** Syscalls the policy permits outright or by argument (for the drift check). */
export function permittedSyscalls(policy: SeccompPolicy = HOST_POLICY): Set<string> {
  return new Set([...policy.allow, ...Object.keys(policy.args)]);
}

/**
 * Cross-checks a compiled program against the policy for every syscall number in the table and a
 * set of argument values, on the BPF interpreter. The supervisor runs it before using a filter, so
 * a compiler bug fails closed at start instead of producing a wrong filter.
 */
export function verifyProgram(program: readonly Insn[], policy: SeccompPolicy = HOST_POLICY, options: CompileOptions = {}): void {
  const probes: { arch?: number; nr: number; args?: number[] }[] = [];
  for (const nr of Object.values(X86_64_SYSCALLS)) probes.push({ nr });
  for (const [name, rule] of Object.entries(policy.args)) {
    const nr = syscallNumber(name);
    const values = new Set<number>([0, 0xffffffff]);
    for (const c of rule.checks) {
      values.add(c.value >>> 0);
      values.add((c.value + 1) >>> 0);
      values.add((c.value - 1) >>> 0);
    }
    for (const v of values) {
      const args = [0, 0, 0, 0, 0, 0];
      args[rule.arg] = v;
      probes.push({ nr, args });
    }
  }
  probes.push({ nr: 0, arch: AUDIT_ARCH_I386 }, { nr: 0, arch: AUDIT_ARCH_AARCH64 }, { nr: X32_SYSCALL_BIT }, { nr: X32_SYSCALL_BIT + 1 }, { nr: -1 }, { nr: 1000 });
  for (const p of probes) {
    const expected = actionValue(policyDecision(policy, p, options));
    const got = runProgram(program, { nr: p.nr, arch: p.arch ?? AUDIT_ARCH_X86_64, args: p.args ?? [] });
    if (got !== expected) {
      throw new Error(`seccomp self-check failed for nr ${p.nr} (${syscallName(p.nr) ?? '?'}): program says ${describeVerdict(got)}, policy says ${describeVerdict(expected)}`);
    }
  }
}
