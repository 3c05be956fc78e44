import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { bundleWorker } from '../../runtime/bundler/bundle.ts';
import { loadProject, resolveEntry } from '../../runtime/config/project.ts';
import { versionMetadata } from '../../runtime/bundler/metadata.ts';
import { UsageError, type CommandDef } from '../command.ts';

export const buildCommand: CommandDef = {
  name: 'build',
  summary: 'Bundle a worker exactly as `worker deploy` would upload it.',
  usage: 'worker build [entry] [--outdir dist]',
  options: {
    outdir: { type: 'string', value: 'DIR', description: 'Where to write worker.js, worker.js.map and metadata.json', default: 'dist' },
    env: { type: 'string', value: 'NAME', description: 'Use the env.NAME section of isle.json' },
    config: { type: 'string', short: 'c', value: 'FILE', description: 'Path to isle.json' },
  },
  async run({ values, positionals }) {
    if (positionals.length > 1) throw new UsageError('worker build takes at most one entry');
    const cwd = process.cwd();
    const project = loadProject({
      cwd,
      ...(values.config !== undefined && { configPath: String(values.config) }),
      ...(values.env !== undefined && { envName: String(values.env) }),
    });
    const entry = resolveEntry(project, positionals[0], cwd);
    const { bundle } = await bundleWorker(entry, project.root);
    const outdir = resolve(cwd, String(values.outdir ?? 'dist'));
    mkdirSync(outdir, { recursive: true });
    writeFileSync(join(outdir, 'worker.js'), bundle.code);
    writeFileSync(join(outdir, 'worker.js.map'), bundle.map);
    writeFileSync(join(outdir, 'metadata.json'), JSON.stringify(versionMetadata(project, bundle), null, 2) + '\n');
    const size = Buffer.byteLength(bundle.code);
    console.log(`Built ${relative(cwd, entry) || entry} → ${relative(cwd, outdir) || '.'}/worker.js (${(size / 1024).toFixed(1)} KiB, id ${bundle.id})`);
    return 0;
  },
};
