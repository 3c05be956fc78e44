import { apiClient, connectionOptions } from '../api.ts';
import { UsageError, type CommandDef } from '../command.ts';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write('Enter the secret value, then Ctrl-D: ');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline (from echo or the terminal) is not part of the value.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const secretCommand: CommandDef = {
  name: 'secret',
  summary: "Manage a tenant's secrets (values are read from stdin, never from arguments).",
  usage: 'worker secret put|list|delete [NAME] [options]',
  options: { ...connectionOptions },
  details: 'Example: printf %s "$STRIPE_KEY" | worker secret put STRIPE_KEY\nSecrets reach the worker in env, are never returned by the API, and survive rollbacks.',
  async run({ values, positionals }) {
    const [action, name] = positionals;
    const api = apiClient(values);
    const base = `/v1/tenants/${encodeURIComponent(api.tenant())}/secrets`;
    switch (action) {
      case 'put': {
        if (!name) throw new UsageError('worker secret put NAME (value on stdin)');
        const value = await readStdin();
        await api.call('PUT', `${base}/${encodeURIComponent(name)}`, { value });
        console.log(`Stored secret ${name} for ${api.tenant()}.`);
        return;
      }
      case 'list': {
        const { secrets } = await api.call('GET', base);
        console.log(secrets.length ? secrets.join('\n') : 'No secrets.');
        return;
      }
      case 'delete': {
        if (!name) throw new UsageError('worker secret delete NAME');
        await api.call('DELETE', `${base}/${encodeURIComponent(name)}`);
        console.log(`Deleted secret ${name}.`);
        return;
      }
      default:
        throw new UsageError('worker secret put|list|delete [NAME]');
    }
  },
};
