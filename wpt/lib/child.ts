// A runner child process: runs the jobs its parent sends, one at a time, each in a fresh isolate.
// Started by pool.ts with --no-node-snapshot; a native crash here costs one file, not the run.
import { executeJob } from './execute.ts';
import type { Job } from './discover.ts';
import type { RunOptions } from './types.ts';

interface RunMessage {
  type: 'run';
  seq: number;
  job: Job;
  options: RunOptions;
}

if (!process.send) {
  console.error('wpt/lib/child.ts is started by the WPT runner (wpt/run.ts)');
  process.exit(2);
}

process.on('message', (msg: RunMessage) => {
  if (!msg || msg.type !== 'run') return;
  executeJob(msg.job, msg.options).then(
    (result) => process.send!({ type: 'result', seq: msg.seq, result }),
    (e) => process.send!({ type: 'error', seq: msg.seq, message: e instanceof Error ? e.message : String(e) }),
  );
});

// Exit with the parent.
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
