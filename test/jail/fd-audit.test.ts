// Inherited file descriptors: a leaked directory fd is a filesystem escape through any jail. The
// host refuses to start with one; the supervisor overwrites fds it leaked itself with /dev/null.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { neutralizedStdio } from '../../runtime/jail/fd-audit.ts';

const child = fileURLToPath(new URL('./support/fd-child.ts', import.meta.url));

// Node marks fds 0..15 (and any contiguous run after) close-on-exec at start-up, so what leaks
// through a Node process is a non-contiguous high fd, like a shell's or a launcher's fd 200.
const AT = 20;

/** Runs fd-child.ts with `extra[i]` placed at fd AT + i. */
function run(mode: string, extra: number[]): { status: number | null; stdout: string; stderr: string } {
  const stdio: (string | number)[] = ['ignore', 'pipe', 'pipe'];
  while (stdio.length < AT) stdio.push('ignore');
  for (const fd of extra) stdio.push(fd);
  const r = spawnSync(process.execPath, ['--no-node-snapshot', child, mode], { stdio: stdio as never, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('inherited fd audit', () => {
  it('flags a leaked directory and a leaked file, and accepts a clean start', () => {
    const dir = openSync('/', 'r');
    const file = openSync(fileURLToPath(import.meta.url), 'r');
    try {
      const leaky = JSON.parse(run('report', [dir, file]).stdout);
      expect(leaky.leaked).toEqual(expect.arrayContaining([AT, AT + 1]));
      expect(leaky.findings).toEqual(expect.arrayContaining([
        { fd: AT, target: '/', why: 'unexpected inherited dir' },
        expect.objectContaining({ fd: AT + 1, why: 'unexpected inherited file' }),
      ]));
      const clean = JSON.parse(run('report', []).stdout);
      expect(clean.findings.filter((f: { fd: number }) => f.fd === AT || f.fd === AT + 1)).toEqual([]);
    } finally {
      closeSync(dir);
      closeSync(file);
    }
  });

  it('makes the host refuse to start (exit 78) naming the fd', () => {
    const dir = openSync('/', 'r');
    try {
      const r = run('host', [dir]);
      expect(r.status).toBe(78);
      expect(r.stderr).toMatch(new RegExp(`refusing to start: unexpected inherited fds .*${AT}->/ \\(unexpected inherited dir\\)`));
      expect(r.stdout).toBe('');
    } finally {
      closeSync(dir);
    }
  });

  it('the supervisor\'s spawn overwrites fds it leaked itself with /dev/null', () => {
    const dir = openSync('/', 'r');
    try {
      const out = JSON.parse(run('neutralize', [dir]).stdout);
      expect(out.leakedHere).toContain(AT);
      expect(out.grandchild.targets[String(AT)]).toBe('/dev/null');
      expect(out.grandchild.findings.filter((f: { fd: number }) => f.fd > 2)).toEqual([]);
    } finally {
      closeSync(dir);
    }
  });

  it('keeps the slots a spawn gives a meaning', () => {
    expect(neutralizedStdio(['ignore', 'pipe', 'pipe', 7, 'ipc'], 9, [3, 4, 6])).toEqual(['ignore', 'pipe', 'pipe', 7, 'ipc', 'ignore', 9]);
  });
});
