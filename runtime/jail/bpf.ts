// Classic BPF (the instruction set seccomp filters are written in): encoding, a validator with the
// kernel's structural rules, and a small interpreter. The interpreter lets tests (and the
// supervisor's start-up self-check) ask "what would the kernel decide for this syscall?" without a
// kernel.

/** One `struct sock_filter` instruction. */
export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

// Opcode parts (linux/bpf_common.h).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;
export const BPF_W = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IMM = 0x00;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_A = 0x10;
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;

/** The kernel's limit on filter length (BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;
/** Size of `struct seccomp_data`: nr, arch, instruction_pointer, args[6]. */
export const SECCOMP_DATA_SIZE = 64;

export const stmt = (code: number, k: number): Insn => ({ code, jt: 0, jf: 0, k: k >>> 0 });
export const jump = (code: number, k: number, jt: number, jf: number): Insn => ({ code, jt, jf, k: k >>> 0 });

/** `A = seccomp_data[offset]` (32-bit load). */
export const loadWord = (offset: number): Insn => stmt(BPF_LD | BPF_W | BPF_ABS, offset);
export const ret = (value: number): Insn => stmt(BPF_RET | BPF_K, value);
export const jeq = (k: number, jt: number, jf: number): Insn => jump(BPF_JMP | BPF_JEQ | BPF_K, k, jt, jf);
export const jge = (k: number, jt: number, jf: number): Insn => jump(BPF_JMP | BPF_JGE | BPF_K, k, jt, jf);
export const jset = (k: number, jt: number, jf: number): Insn => jump(BPF_JMP | BPF_JSET | BPF_K, k, jt, jf);

/** `struct sock_filter[]` as the kernel (and `bwrap --seccomp`) reads it: 8 bytes each, little-endian. */
export function encodeProgram(program: readonly Insn[]): Buffer {
  const out = Buffer.alloc(program.length * 8);
  program.forEach((insn, i) => {
    out.writeUInt16LE(insn.code, i * 8);
    out.writeUInt8(insn.jt, i * 8 + 2);
    out.writeUInt8(insn.jf, i * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return out;
}

export function decodeProgram(bytes: Uint8Array): Insn[] {
  if (bytes.length % 8 !== 0) throw new Error('a BPF program is a whole number of 8-byte instructions');
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let i = 0; i < b.length; i += 8) out.push({ code: b.readUInt16LE(i), jt: b[i + 2]!, jf: b[i + 3]!, k: b.readUInt32LE(i + 4) });
  return out;
}

/**
 * The structural checks the kernel's seccomp loader makes (bpf_check_classic + seccomp_check_filter),
 * for the instructions this project emits: length, jump targets inside the program, only aligned
 * 32-bit loads inside seccomp_data, and a RET at the end. Throws with the offending index.
 */
export function validateProgram(program: readonly Insn[]): void {
  if (program.length === 0 || program.length > BPF_MAXINSNS) throw new Error(`BPF program length ${program.length} is outside 1..${BPF_MAXINSNS}`);
  program.forEach((insn, pc) => {
    const cls = insn.code & 0x07;
    if (cls === BPF_JMP) {
      const op = insn.code & 0xf0;
      if (op === BPF_JA) {
        if (pc + 1 + insn.k >= program.length) throw new Error(`insn ${pc}: jump out of the program`);
      } else if (pc + 1 + insn.jt >= program.length || pc + 1 + insn.jf >= program.length) {
        throw new Error(`insn ${pc}: jump out of the program`);
      }
    } else if (cls === BPF_LD) {
      const mode = insn.code & 0xe0;
      if (mode === BPF_ABS) {
        if ((insn.code & 0x18) !== BPF_W) throw new Error(`insn ${pc}: seccomp allows only 32-bit loads`);
        if (insn.k % 4 !== 0 || insn.k + 4 > SECCOMP_DATA_SIZE) throw new Error(`insn ${pc}: load offset ${insn.k} outside seccomp_data`);
      } else if (mode === BPF_MEM && insn.k >= 16) throw new Error(`insn ${pc}: scratch index ${insn.k} out of range`);
    }
    if (insn.jt > 255 || insn.jf > 255 || insn.jt < 0 || insn.jf < 0) throw new Error(`insn ${pc}: jump offset out of 0..255`);
  });
  const last = program[program.length - 1]!;
  if ((last.code & 0x07) !== BPF_RET) throw new Error('a BPF program must end with RET');
}

/** Input of one filter run: what the kernel puts in `struct seccomp_data`. */
export interface SeccompData {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  /** Up to 6 arguments, as 64-bit values. */
  args?: readonly (bigint | number)[];
}

export function seccompDataBytes(data: SeccompData): Buffer {
  const b = Buffer.alloc(SECCOMP_DATA_SIZE);
  b.writeInt32LE(data.nr | 0, 0);
  b.writeUInt32LE(data.arch >>> 0, 4);
  b.writeBigUInt64LE(BigInt.asUintN(64, data.instructionPointer ?? 0n), 8);
  (data.args ?? []).slice(0, 6).forEach((a, i) => b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(a)), 16 + i * 8));
  return b;
}

/** Runs a classic BPF program over seccomp_data and returns the 32-bit verdict (SECCOMP_RET_*). */
export function runProgram(program: readonly Insn[], data: SeccompData): number {
  const mem = seccompDataBytes(data);
  const scratch = new Uint32Array(16);
  let A = 0;
  let X = 0;
  let steps = 0;
  for (let pc = 0; pc < program.length; pc++) {
    if (++steps > BPF_MAXINSNS) throw new Error('BPF program did not terminate');
    const insn = program[pc]!;
    const k = insn.k >>> 0;
    const cls = insn.code & 0x07;
    switch (cls) {
      case BPF_LD: {
        const mode = insn.code & 0xe0;
        if (mode === BPF_ABS) {
          if (k % 4 !== 0 || k + 4 > SECCOMP_DATA_SIZE) throw new Error(`insn ${pc}: bad load offset ${k}`);
          A = mem.readUInt32LE(k);
        } else if (mode === BPF_IMM) A = k;
        else if (mode === BPF_MEM) A = scratch[k]!;
        else if (mode === BPF_LEN) A = SECCOMP_DATA_SIZE;
        else throw new Error(`insn ${pc}: unsupported load mode`);
        break;
      }
      case BPF_LDX: {
        const mode = insn.code & 0xe0;
        if (mode === BPF_IMM) X = k;
        else if (mode === BPF_MEM) X = scratch[k]!;
        else if (mode === BPF_LEN) X = SECCOMP_DATA_SIZE;
        else throw new Error(`insn ${pc}: unsupported ldx mode`);
        break;
      }
      case BPF_ST:
        scratch[k] = A;
        break;
      case BPF_STX:
        scratch[k] = X;
        break;
      case BPF_ALU: {
        const src = (insn.code & BPF_X) === BPF_X ? X : k;
        switch (insn.code & 0xf0) {
          case BPF_ADD: A = (A + src) >>> 0; break;
          case BPF_SUB: A = (A - src) >>> 0; break;
          case BPF_MUL: A = Number((BigInt(A) * BigInt(src)) & 0xffffffffn); break;
          case BPF_DIV: if (src === 0) return 0; A = Math.floor(A / src) >>> 0; break;
          case BPF_MOD: if (src === 0) return 0; A = (A % src) >>> 0; break;
          case BPF_OR: A = (A | src) >>> 0; break;
          case BPF_AND: A = (A & src) >>> 0; break;
          case BPF_XOR: A = (A ^ src) >>> 0; break;
          case BPF_LSH: A = src >= 32 ? 0 : (A << src) >>> 0; break;
          case BPF_RSH: A = src >= 32 ? 0 : A >>> src; break;
          case BPF_NEG: A = -A >>> 0; break;
          default: throw new Error(`insn ${pc}: unsupported ALU op`);
        }
        break;
      }
      case BPF_JMP: {
        const op = insn.code & 0xf0;
        if (op === BPF_JA) {
          pc += k;
          break;
        }
        const src = (insn.code & BPF_X) === BPF_X ? X : k;
        let taken: boolean;
        if (op === BPF_JEQ) taken = A === src;
        else if (op === BPF_JGT) taken = A > src;
        else if (op === BPF_JGE) taken = A >= src;
        else if (op === BPF_JSET) taken = (A & src) !== 0;
        else throw new Error(`insn ${pc}: unsupported jump op`);
        pc += taken ? insn.jt : insn.jf;
        break;
      }
      case BPF_RET:
        return ((insn.code & 0x18) === BPF_A ? A : k) >>> 0;
      case BPF_MISC:
        if ((insn.code & 0xf8) === BPF_TXA) A = X;
        else X = A;
        break;
    }
  }
  throw new Error('BPF program fell off its end');
}
