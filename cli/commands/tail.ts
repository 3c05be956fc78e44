import { formatLogRecord, type LogRecord } from '../../runtime/host/log.ts';
import { apiClient, ApiError, connectionOptions } from '../api.ts';
import { UsageError, type CommandDef } from '../command.ts';

/** `--status 5xx`, `404`, `4xx,5xx`: which access lines to show (other records always shown). */
export function statusFilter(spec: string | undefined): (status: number) => boolean {
  if (!spec) return () => true;
  const parts = spec.split(',').map((p) => p.trim().toLowerCase());
  for (const p of parts) if (!/^[1-5](xx|\d\d)$/.test(p)) throw new UsageError(`--status expects e.g. 5xx, 404 or 4xx,5xx; got "${p}"`);
  return (status) => parts.some((p) => (p.endsWith('xx') ? Math.floor(status / 100) === Number(p[0]) : status === Number(p)));
}

export const tailCommand: CommandDef = {
  name: 'tail',
  summary: "Stream a tenant's live logs (console output and one line per request).",
  usage: 'worker tail [--status 5xx] [--format pretty|json] [options]',
  options: {
    ...connectionOptions,
    status: { type: 'string', value: 'FILTER', description: 'Only requests with these statuses (e.g. 5xx, 404, 4xx,5xx)' },
    format: { type: 'string', value: 'pretty|json', description: 'Output format', default: 'pretty' },
  },
  async run({ values }) {
    const api = apiClient(values);
    const keep = statusFilter(values.status as string | undefined);
    const json = values.format === 'json';
    const res = await api.raw('GET', `/v1/tenants/${encodeURIComponent(api.tenant())}/logs/live`);
    if (!res.ok || !res.body) throw new ApiError(res.status, `${res.status} ${await res.text()}`, undefined);
    console.error(`Tailing ${api.tenant()} (Ctrl-C to stop)…`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(event)?.[1];
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (type !== 'log' || !data) continue;
        const record = JSON.parse(data) as LogRecord;
        if (values.status && !(record.kind === 'access' && record.access && keep(record.access.status))) continue;
        console.log(json ? data : formatLogRecord(record));
      }
    }
  },
};
