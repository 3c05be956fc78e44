#!/usr/bin/env node
// The `worker` command's launcher. Plain JavaScript so that any Node can start it: it makes sure
// the CLI runs on Node 24 with --no-node-snapshot (isolated-vm needs both), re-executing itself on
// the pinned Node from the `node` npm package when needed, and forwards signals to that child so
// Ctrl-C / SIGTERM stop everything with no orphans.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, '..', 'main.ts');
const REQUIRED_MAJOR = 24;
const flags = ['--no-node-snapshot', '--expose-gc', '--disable-warning=ExperimentalWarning'];

function currentMajor() {
  return Number(process.versions.node.split('.')[0]);
}

function pinnedNode() {
  // The `node` devDependency/dependency ships Node 24 as node_modules/node/bin/node.
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('node/package.json');
    const bin = join(dirname(pkg), 'bin', 'node');
    if (existsSync(bin)) return bin;
  } catch {}
  return undefined;
}

const ready = currentMajor() === REQUIRED_MAJOR && process.execArgv.includes('--no-node-snapshot') && process.execArgv.includes('--expose-gc');
if (ready) {
  await import(main);
} else {
  const nodeBin = currentMajor() === REQUIRED_MAJOR ? process.execPath : pinnedNode();
  if (!nodeBin) {
    console.error(
      `worker: Isle needs Node.js ${REQUIRED_MAJOR} (this is ${process.version}).\n` +
        `Run \`npm install\` in the project (it installs Node ${REQUIRED_MAJOR} from the npm "node" package), ` +
        `or put Node ${REQUIRED_MAJOR} first on your PATH.`,
    );
    process.exit(1);
  }
  // An IPC channel lets the child notice if this launcher dies without a chance to forward a signal.
  const child = spawn(nodeBin, [...flags, main, ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ISLE_LAUNCHED: '1' },
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (child.exitCode === null) child.kill(sig);
    });
  }
  child.on('exit', (code, signal) => {
    if (signal) {
      // Die of the same signal, as a shell expects; our forwarding handler must not swallow it.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    else process.exit(code ?? 1);
  });
  child.on('error', (e) => {
    console.error(`worker: could not start Node ${REQUIRED_MAJOR}: ${e.message}`);
    process.exit(1);
  });
}
