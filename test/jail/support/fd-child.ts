// Child process for the fd-audit test: reports what it inherited, then what a grandchild spawned
// with the supervisor's neutralized stdio inherits, then (on request) runs the host's start-up audit.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readlinkSync } from 'node:fs';
import { auditInheritedFds, leakedFds, neutralizedStdio } from '../../../runtime/jail/fd-audit.ts';

const mode = process.argv[2];
if (mode === 'report') {
  process.stdout.write(JSON.stringify({ leaked: leakedFds(), findings: auditInheritedFds({}) }));
} else if (mode === 'neutralize') {
  const devNull = openSync('/dev/null', 'r');
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, 'grandchild'], {
    stdio: neutralizedStdio(['ignore', 'pipe', 'inherit'], devNull) as never,
    encoding: 'utf8',
  });
  closeSync(devNull);
  process.stdout.write(JSON.stringify({ leakedHere: leakedFds(), grandchild: JSON.parse(r.stdout) }));
} else if (mode === 'grandchild') {
  const targets: Record<string, string> = {};
  for (const fd of leakedFds()) targets[fd] = readlinkSync(`/proc/self/fd/${fd}`);
  process.stdout.write(JSON.stringify({ targets, findings: auditInheritedFds({}) }));
} else if (mode === 'host') {
  const { auditOrExit } = await import('../../../runtime/server/host-main.ts');
  auditOrExit({ listenFd: 99, ipcFd: 98 } as never);
  process.stdout.write('started');
}
