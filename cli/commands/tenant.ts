import { apiClient, connectionOptions } from '../api.ts';
import { UsageError, type CommandDef } from '../command.ts';

export const tenantCommand: CommandDef = {
  name: 'tenant',
  summary: 'Manage tenants (admin token).',
  usage: 'worker tenant create|list|delete [NAME] [--hostname HOST]… [options]',
  options: {
    ...connectionOptions,
    hostname: { type: 'string', multiple: true, value: 'HOST', description: 'Grant a hostname for routes (create)' },
  },
  async run({ values, positionals }) {
    const [action, name] = positionals;
    const api = apiClient(values);
    switch (action) {
      case 'create': {
        if (!name) throw new UsageError('worker tenant create NAME');
        const r = await api.call('POST', '/v1/tenants', { name, hostnames: (values.hostname as string[]) ?? [] });
        console.log(`Created tenant ${name}: ${r.url}`);
        return;
      }
      case 'list': {
        const { tenants } = await api.call('GET', '/v1/tenants');
        for (const t of tenants) console.log(`${t.name}\tversion ${t.activeVersion ?? '-'}\t${t.hostnames.join(',')}`);
        if (tenants.length === 0) console.log('No tenants.');
        return;
      }
      case 'delete': {
        if (!name) throw new UsageError('worker tenant delete NAME');
        await api.call('DELETE', `/v1/tenants/${encodeURIComponent(name)}`);
        console.log(`Deleted tenant ${name}.`);
        return;
      }
      default:
        throw new UsageError('worker tenant create|list|delete [NAME]');
    }
  },
};

export const tokenCommand: CommandDef = {
  name: 'token',
  summary: 'Create, list or revoke API tokens (admin token).',
  usage: 'worker token create [--tenant T] [--label TEXT] | list | revoke ID [options]',
  options: {
    ...connectionOptions,
    tenant: { type: 'string', value: 'TENANT', description: 'Tenant the new token may act on (omit for an admin token)' },
    label: { type: 'string', value: 'TEXT', description: 'A label for the new token', default: 'deploy' },
  },
  async run({ values, positionals }) {
    const [action, id] = positionals;
    const api = apiClient(values);
    switch (action) {
      case 'create': {
        const r = await api.call('POST', '/v1/tokens', {
          tenant: values.tenant !== undefined ? String(values.tenant) : null,
          name: String(values.label ?? 'deploy'),
        });
        console.log(`Token ${r.id} for ${r.tenant ?? 'admin'} (shown only now):\n${r.token}`);
        return;
      }
      case 'list': {
        const { tokens } = await api.call('GET', '/v1/tokens');
        for (const t of tokens) console.log(`${t.id}\t${t.tenant ?? 'admin'}\t${t.name}\t${t.createdAt}`);
        return;
      }
      case 'revoke': {
        if (!id) throw new UsageError('worker token revoke ID');
        await api.call('DELETE', `/v1/tokens/${encodeURIComponent(id)}`);
        console.log(`Revoked ${id}.`);
        return;
      }
      default:
        throw new UsageError('worker token create|list|revoke');
    }
  },
};
