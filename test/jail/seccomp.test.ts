// The seccomp compiler and the cBPF interpreter: golden decisions of the host filter.
import { describe, expect, it } from 'vitest';
import { decodeProgram, encodeProgram, jeq, loadWord, ret, runProgram, stmt, validateProgram, BPF_ALU, BPF_AND, BPF_K, BPF_MAXINSNS } from '../../runtime/jail/bpf.ts';
import {
  AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AUDIT_ARCH_AARCH64, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, CLONE_THREAD,
  compilePolicy, describeVerdict, HOST_POLICY, permittedSyscalls, verifyProgram, X32_SYSCALL_BIT,
} from '../../runtime/jail/seccomp.ts';
import { syscallName, syscallNumber, X86_64_SYSCALLS } from '../../runtime/jail/syscalls-x86_64.ts';

const program = compilePolicy();
const decide = (name: string, args: (number | bigint)[] = [], arch = AUDIT_ARCH_X86_64) =>
  describeVerdict(runProgram(program, { nr: syscallNumber(name), arch, args }));

// glibc's pthread_create flags, and fork()'s.
const THREAD_FLAGS = 0x3d0f00; // VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
const FORK_FLAGS = 0x01200011; // CHILD_SETTID|CHILD_CLEARTID|SIGCHLD
const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWNET = 0x40000000;
const CLONE_NEWNS = 0x00020000;

describe('syscall table', () => {
  it('has the well-known x86_64 numbers', () => {
    expect(syscallNumber('read')).toBe(0);
    expect(syscallNumber('clone')).toBe(56);
    expect(syscallNumber('ptrace')).toBe(101);
    expect(syscallNumber('clone3')).toBe(435);
    expect(syscallNumber('io_uring_setup')).toBe(425);
    expect(syscallNumber('mseal')).toBe(462);
    expect(syscallName(59)).toBe('execve');
    expect(() => syscallNumber('no_such_call')).toThrow(/unknown/);
    const numbers = Object.values(X86_64_SYSCALLS);
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});

describe('host seccomp filter: golden decisions', () => {
  it('is a valid program within the kernel limits', () => {
    expect(program.length).toBeGreaterThan(100);
    expect(program.length).toBeLessThan(BPF_MAXINSNS);
    expect(() => validateProgram(program)).not.toThrow();
    expect(decodeProgram(encodeProgram(program))).toEqual(program);
    expect(encodeProgram(program).length).toBe(program.length * 8);
  });

  it('agrees with the policy for every syscall number and argument edge', () => {
    expect(() => verifyProgram(program)).not.toThrow();
    const strict = compilePolicy(HOST_POLICY, { unknown: 'kill' });
    expect(() => verifyProgram(strict, HOST_POLICY, { unknown: 'kill' })).not.toThrow();
    // The self-check does catch a wrong program.
    expect(() => verifyProgram(strict)).toThrow(/self-check failed/);
  });

  it('allows thread clones, refuses fork-like clones, kills namespace clones', () => {
    expect(decide('clone', [THREAD_FLAGS])).toBe('ALLOW');
    expect(decide('clone', [CLONE_THREAD])).toBe('ALLOW');
    expect(decide('clone', [FORK_FLAGS])).toBe('ERRNO(1)');
    expect(decide('clone', [0x4111])).toBe('ERRNO(1)'); // VM|VFORK|SIGCHLD (posix_spawn)
    expect(decide('clone', [CLONE_NEWUSER | THREAD_FLAGS])).toBe('KILL_PROCESS');
    expect(decide('clone', [CLONE_NEWNET | FORK_FLAGS])).toBe('KILL_PROCESS');
    expect(decide('clone', [CLONE_NEWNS])).toBe('KILL_PROCESS');
    // Only the low 32 bits count (the kernel truncates clone flags); high garbage changes nothing.
    expect(decide('clone', [(1n << 40n) | BigInt(FORK_FLAGS)])).toBe('ERRNO(1)');
    expect(decide('fork')).toBe('ERRNO(1)');
    expect(decide('vfork')).toBe('ERRNO(1)');
  });

  it('answers clone3 and io_uring_setup with ENOSYS (fallbacks exist), unknown syscalls too', () => {
    expect(decide('clone3', [0, 88])).toBe('ERRNO(38)');
    expect(decide('io_uring_setup')).toBe('ERRNO(38)');
    expect(decide('pkey_alloc')).toBe('ERRNO(38)');
    expect(decide('memfd_create')).toBe('ERRNO(38)');
    expect(describeVerdict(runProgram(program, { nr: 400, arch: AUDIT_ARCH_X86_64 }))).toBe('ERRNO(38)'); // unassigned
    expect(describeVerdict(runProgram(program, { nr: 2000, arch: AUDIT_ARCH_X86_64 }))).toBe('ERRNO(38)');
  });

  it('allows AF_UNIX sockets only', () => {
    expect(decide('socket', [AF_UNIX, 1, 0])).toBe('ALLOW');
    expect(decide('socket', [AF_INET, 1, 0])).toBe('ERRNO(1)');
    expect(decide('socket', [AF_INET6, 2, 0])).toBe('ERRNO(1)');
    expect(decide('socket', [AF_NETLINK, 3, 0])).toBe('ERRNO(1)');
    expect(decide('socket', [AF_PACKET, 3, 0])).toBe('ERRNO(1)');
    expect(decide('socketpair', [AF_UNIX, 1, 0])).toBe('ALLOW');
    expect(decide('socketpair', [AF_INET, 1, 0])).toBe('ERRNO(1)');
    // The domain is an int: high bits set on an AF_UNIX value do not turn it into something else.
    expect(decide('socket', [(1n << 32n) | 1n])).toBe('ALLOW');
  });

  it('kills the syscalls only an attacker makes', () => {
    for (const name of ['ptrace', 'process_vm_readv', 'process_vm_writev', 'mount', 'umount2', 'pivot_root', 'unshare', 'setns', 'bpf',
      'perf_event_open', 'userfaultfd', 'keyctl', 'add_key', 'request_key', 'init_module', 'finit_module', 'kexec_load', 'kexec_file_load',
      'open_by_handle_at', 'io_uring_enter', 'fsopen', 'move_mount', 'personality', 'execveat']) {
      expect(decide(name), name).toBe('KILL_PROCESS');
    }
  });

  it('allows what the host measured, and narrows ioctl', () => {
    for (const name of ['futex', 'epoll_pwait', 'read', 'write', 'mmap', 'accept4', 'connect', 'openat', 'statx', 'execve', 'exit_group', 'getrandom']) {
      expect(decide(name), name).toBe('ALLOW');
    }
    expect(decide('ioctl', [1, 0x5401])).toBe('ALLOW'); // TCGETS
    expect(decide('ioctl', [1, 0x5421])).toBe('ALLOW'); // FIONBIO
    expect(decide('ioctl', [1, 0x5412])).toBe('ERRNO(25)'); // TIOCSTI
  });

  it('kills a foreign architecture and the x32 ABI', () => {
    expect(decide('read', [], AUDIT_ARCH_I386)).toBe('KILL_PROCESS');
    expect(decide('read', [], AUDIT_ARCH_AARCH64)).toBe('KILL_PROCESS');
    expect(describeVerdict(runProgram(program, { nr: X32_SYSCALL_BIT | 0, arch: AUDIT_ARCH_X86_64 }))).toBe('KILL_PROCESS');
    expect(describeVerdict(runProgram(program, { nr: X32_SYSCALL_BIT | 39, arch: AUDIT_ARCH_X86_64 }))).toBe('KILL_PROCESS'); // x32 getpid
    expect(describeVerdict(runProgram(program, { nr: -1, arch: AUDIT_ARCH_X86_64 }))).toBe('KILL_PROCESS');
  });

  it('puts the hottest syscalls first', () => {
    // futex is decided within the first few instructions (arch, x32, then futex).
    const futexAt = program.findIndex((i) => i.code === 0x15 && i.k === syscallNumber('futex'));
    expect(futexAt).toBeLessThan(8);
    expect(permittedSyscalls().has('clone')).toBe(true);
    expect(permittedSyscalls().has('ptrace')).toBe(false);
  });

  it('refuses policies with a name listed twice or unknown', () => {
    expect(() => compilePolicy({ ...HOST_POLICY, kill: [...HOST_POLICY.kill, 'read'] })).toThrow(/listed twice/);
    expect(() => compilePolicy({ ...HOST_POLICY, kill: ['not_a_syscall'] })).toThrow(/unknown x86_64 syscall/);
  });
});

describe('cBPF interpreter and validator', () => {
  it('runs ALU, jumps and returns', () => {
    const p = [loadWord(16), stmt(BPF_ALU | BPF_AND | BPF_K, 0xff), jeq(0x2a, 0, 1), ret(7), ret(9)];
    expect(runProgram(p, { nr: 0, arch: 0, args: [0x122a] })).toBe(7);
    expect(runProgram(p, { nr: 0, arch: 0, args: [0x1229] })).toBe(9);
  });

  it('rejects out-of-range jumps, unaligned or out-of-bounds loads and a missing RET', () => {
    expect(() => validateProgram([jeq(1, 5, 0), ret(0)])).toThrow(/jump out/);
    expect(() => validateProgram([loadWord(2), ret(0)])).toThrow(/outside seccomp_data/);
    expect(() => validateProgram([loadWord(64), ret(0)])).toThrow(/outside seccomp_data/);
    expect(() => validateProgram([loadWord(0)])).toThrow(/end with RET/);
    expect(() => validateProgram([])).toThrow(/length/);
  });
});
