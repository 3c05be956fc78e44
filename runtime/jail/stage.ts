// What the jail mounts, and making it readable by the jail's uid.
//
// bubblewrap runs as the jail's (unprivileged) uid, so it can only bind paths that uid may reach:
// an app cloned under a 0700 home directory, or a store under a 0700 data directory, is not
// reachable even when the files themselves are world-readable. For those, the supervisor stages a
// readable view in a private directory: hard links where the file is readable by the jail uid and
// on the same filesystem (free), copies otherwise. Bundles are staged on demand, when the host is
// told about them.
import {
  accessSync, chmodSync, chownSync, constants, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync,
  readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync, type Stats,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse, relative, sep } from 'node:path';

export interface JailIdentity {
  uid: number;
  gid: number;
}

const selfId = (): JailIdentity => ({ uid: process.getuid!(), gid: process.getgid!() });
const isSelf = (who: JailIdentity) => who.uid === process.getuid!() && who.gid === process.getgid!();

/** Permission check by mode bits for an identity without supplementary groups (the jail drops them). */
export function permits(st: Stats, who: JailIdentity, want: number): boolean {
  const bits = st.uid === who.uid ? (st.mode >> 6) & 7 : st.gid === who.gid ? (st.mode >> 3) & 7 : st.mode & 7;
  return (bits & want) === want;
}

function canAccess(path: string, st: Stats, who: JailIdentity, want: number): boolean {
  if (isSelf(who)) {
    try {
      accessSync(path, (want & 4 ? constants.R_OK : 0) | (want & 1 ? constants.X_OK : 0));
      return true;
    } catch {
      return false;
    }
  }
  return permits(st, who, want);
}

/** Can `who` traverse every directory leading to `path` (after resolving symlinks) and read it? */
export function reachable(path: string, who: JailIdentity): boolean {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return false;
  }
  const { root } = parse(real);
  let dir = dirname(real);
  for (;;) {
    if (!canAccess(dir, statSync(dir), who, 1)) return false;
    if (dir === root) break;
    dir = dirname(dir);
  }
  const st = statSync(real);
  return canAccess(real, st, who, st.isDirectory() ? 5 : 4);
}

/** Is every directory (r-x) and file (r) under `root` readable by `who`? Symlinks are not followed. */
export function treeReadable(root: string, who: JailIdentity): boolean {
  const walk = (dir: string): boolean => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) {
        if (!canAccess(p, st, who, 5) || !walk(p)) return false;
      } else if (!canAccess(p, st, who, 4)) return false;
    }
    return true;
  };
  try {
    const st = statSync(root);
    if (!st.isDirectory()) return reachable(root, who);
    return reachable(root, who) && walk(root);
  } catch {
    return false;
  }
}

const STAGE_PREFIX = 'isle-jail-';

/**
 * A private directory holding what the jail needs but cannot reach where it lives: the staged
 * app, the broker's socket directory, staged bundles. Owned by the supervisor, readable by the
 * jail's group only (0750) when the supervisor is root, private (0700) otherwise. Removed on stop;
 * leftovers of dead supervisors are swept at the next start.
 */
export class JailStage {
  readonly root: string;
  readonly who: JailIdentity;
  #privileged: boolean;

  constructor(who: JailIdentity, base = tmpdir()) {
    this.who = who;
    this.#privileged = process.getuid!() === 0 && !isSelf(who);
    sweepStaleStages(base);
    this.root = mkdtempSync(join(base, STAGE_PREFIX));
    this.#protect(this.root);
    writeFileSync(join(this.root, 'supervisor.pid'), `${process.pid}\n`, { mode: 0o600 });
  }

  #protect(path: string): void {
    if (this.#privileged) {
      chownSync(path, 0, this.who.gid);
      chmodSync(path, 0o750);
    } else chmodSync(path, 0o700);
  }

  /** A directory inside the stage that the jail's group may enter. */
  privateDir(rel: string): string {
    const p = join(this.root, rel);
    mkdirSync(p, { recursive: true });
    this.#protect(p);
    return p;
  }

  /** A directory inside the stage that the jail's uid may list and read. */
  readableDir(rel: string): string {
    const p = join(this.root, rel);
    mkdirSync(p, { recursive: true });
    chmodSync(p, 0o755);
    return p;
  }

  /** Makes `socketPath` (inside the stage) connectable by the jail's uid. */
  shareSocket(socketPath: string): void {
    if (this.#privileged) {
      chownSync(socketPath, 0, this.who.gid);
      chmodSync(socketPath, 0o660);
    } else chmodSync(socketPath, 0o600);
  }

  /** Places a readable version of `src` (file or directory tree) at `rel` in the stage. */
  put(src: string, rel: string): string {
    const dest = join(this.root, rel);
    mkdirSync(dirname(dest), { recursive: true, mode: 0o755 });
    const st = statSync(src);
    if (st.isDirectory()) this.#copyTree(realpathSync(src), dest);
    else this.#placeFile(realpathSync(src), dest, st);
    return dest;
  }

  #placeFile(src: string, dest: string, st: Stats): void {
    if (existsSync(dest)) return;
    if (permits(st, this.who, 4)) {
      try {
        linkSync(src, dest);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EACCES' && code !== 'EMLINK') throw e;
      }
    }
    copyFileSync(src, dest);
    chmodSync(dest, st.mode & 0o111 ? 0o755 : 0o644);
  }

  #copyTree(src: string, dest: string): void {
    mkdirSync(dest, { recursive: true });
    chmodSync(dest, 0o755);
    for (const name of readdirSync(src)) {
      const s = join(src, name);
      const d = join(dest, name);
      const st = lstatSync(s);
      if (st.isSymbolicLink()) {
        if (!existsSync(d)) symlinkSync(readlinkSync(s), d);
      } else if (st.isDirectory()) this.#copyTree(s, d);
      else if (st.isFile()) this.#placeFile(s, d, st);
      // sockets, fifos and devices are never staged
    }
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes stage directories of supervisors that are gone (only ours: same owner, real directories). */
export function sweepStaleStages(base = tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.startsWith(STAGE_PREFIX));
  } catch {
    return;
  }
  const me = selfId().uid;
  for (const name of names) {
    const dir = join(base, name);
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory() || st.uid !== me) continue;
      const pid = Number(readFileSync(join(dir, 'supervisor.pid'), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) continue;
      // Too young to have written its pid file: leave it.
      if (!existsSync(join(dir, 'supervisor.pid')) && Date.now() - st.mtimeMs < 60_000) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours or half-made: leave it
    }
  }
}

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Finds `name` the way Node does from `fromDir`: node_modules/<name> in it or any ancestor. */
function resolvePackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The packages the app needs at run time: the closure of package.json "dependencies" (and the
 * optional/peer dependencies that are installed), never devDependencies. Returns each top-level
 * package directory once, keyed by the name it is required as.
 */
export function runtimeDependencies(appRoot: string): { name: string; dir: string }[] {
  const found = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (pkgDir: string, optionalMissingOk: boolean, names: Record<string, string> | undefined, required: boolean) => {
    for (const name of Object.keys(names ?? {})) {
      const dir = resolvePackageDir(name, pkgDir);
      if (!dir) {
        if (required && !optionalMissingOk) throw new Error(`the jail cannot find the runtime dependency "${name}" (from ${pkgDir}); run npm install`);
        continue;
      }
      // Nested copies (node_modules/a/node_modules/b) travel with their parent package.
      const rel = relative(appRoot, dir);
      const nested = rel.split(sep).filter((p) => p === 'node_modules').length > 1;
      if (seen.has(dir)) continue;
      seen.add(dir);
      if (!nested && !found.has(name)) found.set(name, dir);
      const pkg = readPackage(dir);
      visit(dir, false, pkg.dependencies, true);
      visit(dir, true, pkg.optionalDependencies, false);
      visit(dir, true, pkg.peerDependencies, false);
    }
  };
  const root = readPackage(appRoot);
  visit(appRoot, false, root.dependencies, true);
  visit(appRoot, true, root.optionalDependencies, false);
  return [...found].map(([name, dir]) => ({ name, dir })).sort((a, b) => a.name.localeCompare(b.name));
}
