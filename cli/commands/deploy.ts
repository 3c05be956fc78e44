import { bundleWorker } from '../../runtime/bundler/bundle.ts';
import { parseVarFlags, resolveEntry } from '../../runtime/config/project.ts';
import { apiClient, connectionOptions } from '../api.ts';
import { UsageError, type CommandDef } from '../command.ts';

export const deployCommand: CommandDef = {
  name: 'deploy',
  summary: 'Bundle the worker and upload it as a new version to a `worker serve` host.',
  usage: 'worker deploy [entry] [options]',
  options: {
    ...connectionOptions,
    'dry-run': { type: 'boolean', description: 'Build and check, upload nothing' },
    var: { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'Add or override a var of this version' },
    route: { type: 'string', multiple: true, value: 'HOST[/PATH]', description: 'Route this version serves (besides <name>.<base domain>)' },
    message: { type: 'string', value: 'TEXT', description: 'Note stored with the version' },
    'no-activate': { type: 'boolean', description: 'Upload without making it the serving version' },
  },
  details: 'With the admin token, deploying to a tenant that does not exist yet creates it.',
  async run({ values, positionals }) {
    if (positionals.length > 1) throw new UsageError('worker deploy takes at most one entry');
    const api = apiClient(values);
    const project = api.project;
    const tenant = api.tenant();
    const entry = resolveEntry(project, positionals[0], process.cwd());
    const { bundle } = await bundleWorker(entry, project.root);
    const metadata = {
      vars: { ...project.vars, ...parseVarFlags((values.var as string[]) ?? []) },
      routes: [...project.routes, ...((values.route as string[]) ?? [])],
      limits: project.limits,
      crons: project.crons,
      compatibilityDate: project.compatibilityDate ?? null,
      message: values.message !== undefined ? String(values.message) : null,
    };
    const size = (Buffer.byteLength(bundle.code) / 1024).toFixed(1);
    if (values['dry-run']) {
      console.log(`Dry run: built ${tenant} (${size} KiB); would upload to ${api.url} with routes [${metadata.routes.join(', ')}]. Nothing uploaded.`);
      return 0;
    }
    const result = await api.call('POST', `/v1/tenants/${encodeURIComponent(tenant)}/versions`, {
      code: bundle.code,
      map: bundle.map,
      metadata,
      activate: !values['no-activate'],
    });
    console.log(`Deployed ${tenant} version ${result.version} (${size} KiB)${result.active ? '' : ' (not activated)'}`);
    console.log(`  ${result.url}`);
    for (const r of metadata.routes) console.log(`  route: ${r}`);
    return 0;
  },
};
