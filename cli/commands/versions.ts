import { apiClient, connectionOptions } from '../api.ts';
import { numberOption, type CommandDef } from '../command.ts';

export const versionsCommand: CommandDef = {
  name: 'versions',
  summary: "List a tenant's versions (the serving one is marked).",
  usage: 'worker versions [options]',
  options: { ...connectionOptions },
  async run({ values }) {
    const api = apiClient(values);
    const { versions } = await api.call('GET', `/v1/tenants/${encodeURIComponent(api.tenant())}/versions`);
    if (versions.length === 0) console.log('No versions yet.');
    for (const v of versions) {
      console.log(`${v.active ? '*' : ' '} ${String(v.version).padStart(4)}  ${v.createdAt}  ${v.bundleId.slice(0, 12)}  ${v.createdBy}${v.metadata.message ? `  ${v.metadata.message}` : ''}`);
    }
  },
};

export const rollbackCommand: CommandDef = {
  name: 'rollback',
  summary: 'Serve an earlier version again (default: the one before the serving one).',
  usage: 'worker rollback [--version N] [options]',
  options: { ...connectionOptions, version: { type: 'string', value: 'N', description: 'Version to activate' } },
  async run({ values }) {
    const api = apiClient(values);
    const version = numberOption(values, 'version');
    const r = await api.call('POST', `/v1/tenants/${encodeURIComponent(api.tenant())}/rollback`, version === undefined ? {} : { version });
    console.log(`Rolled back ${api.tenant()} from version ${r.from} to ${r.to}.`);
  },
};

export const deleteCommand: CommandDef = {
  name: 'delete',
  summary: 'Delete the tenant, its versions, secrets and routes.',
  usage: 'worker delete [options]',
  options: { ...connectionOptions },
  async run({ values }) {
    const api = apiClient(values);
    await api.call('DELETE', `/v1/tenants/${encodeURIComponent(api.tenant())}`);
    console.log(`Deleted ${api.tenant()}.`);
  },
};
