// worker serve end to end: a real supervisor and host child, real HTTP on 127.0.0.1.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startServe, type ServeFixture } from '../support/serve.ts';

const versioned = (v: string) => `export default { fetch: () => new Response('${v}') };`;

describe('worker serve: deploys, routing, rollback', () => {
  let s: ServeFixture;
  beforeAll(async () => {
    s = await startServe();
  });
  afterAll(() => s.close());

  it('reports health and metrics, and 404s unknown hosts with JSON', async () => {
    const health = await fetch(s.server.adminUrl + '/healthz').then((r) => r.json());
    expect(health).toMatchObject({ ok: true, jail: 'off' });
    const unknown = await s.get('nobody.localhost');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ error: 'not_found' });
  });

  it('creates a tenant on first admin deploy and serves it at <tenant>.localhost', async () => {
    const r = await s.deploy('alpha', versioned('v1'));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ version: 1, active: true });
    expect((await s.get('alpha.localhost')).text).toBe('v1');
    expect((await s.get('alpha.localhost:8080', '/any/path')).text).toBe('v1');
  });

  it('activates v2 atomically under concurrent load: every request answered by v1 or v2, then only v2', async () => {
    let stop = false;
    const seen: string[] = [];
    const failures: string[] = [];
    const load = Promise.all(Array.from({ length: 4 }, async () => {
      while (!stop) {
        const r = await s.get('alpha.localhost').catch((e) => ({ status: 0, text: String(e) }));
        if (r.status !== 200) failures.push(`${r.status} ${r.text}`);
        else seen.push(r.text);
      }
    }));
    await new Promise((r) => setTimeout(r, 150));
    const deployed = await s.deploy('alpha', versioned('v2'));
    expect(deployed.body.version).toBe(2);
    await new Promise((r) => setTimeout(r, 150));
    stop = true;
    await load;
    expect(failures).toEqual([]);
    expect(new Set(seen)).toEqual(new Set(['v1', 'v2']));
    for (let i = 0; i < 5; i++) expect((await s.get('alpha.localhost')).text).toBe('v2');
  });

  it('refuses a bundle whose top level throws; the serving version is untouched', async () => {
    const r = await s.deploy('alpha', `throw new Error('broken at top level'); export default { fetch: () => new Response('bad') };`);
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(/broken at top level/);
    expect((await s.get('alpha.localhost')).text).toBe('v2');
    const versions = await s.api('GET', '/v1/tenants/alpha/versions');
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('rolls back to the previous version and forward again', async () => {
    const rb = await s.api('POST', '/v1/tenants/alpha/rollback', {});
    expect(rb.body).toMatchObject({ from: 2, to: 1 });
    expect((await s.get('alpha.localhost')).text).toBe('v1');
    await s.api('POST', '/v1/tenants/alpha/versions/2/activate');
    expect((await s.get('alpha.localhost')).text).toBe('v2');
  });

  it('lands two concurrent deploys as distinct versions', async () => {
    const [a, b] = await Promise.all([s.deploy('alpha', versioned('c1')), s.deploy('alpha', versioned('c2'))]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(new Set([a.body.version, b.body.version]).size).toBe(2);
  });

  it('rejects oversized and malformed uploads with 4xx and changes nothing', async () => {
    const before = await s.api('GET', '/v1/tenants/alpha/versions');
    const serving = (await s.get('alpha.localhost')).text;
    const malformed = await s.api('POST', '/v1/tenants/alpha/versions', '{not json');
    expect(malformed.status).toBe(400);
    const invalid = await s.api('POST', '/v1/tenants/alpha/versions', { code: 42 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details[0].path).toBe('code');
    const huge = await s.api('POST', '/v1/tenants/alpha/versions', { code: 'x'.repeat(11 * 1024 * 1024) });
    expect([400, 413]).toContain(huge.status);
    const after = await s.api('GET', '/v1/tenants/alpha/versions');
    expect(after.body.versions.length).toBe(before.body.versions.length);
    expect((await s.get('alpha.localhost')).text).toBe(serving);
  });

  it('routes by granted hostname and path prefix', async () => {
    await s.deploy('beta', versioned('beta'), { metadata: { routes: ['api.example.test/beta'] } });
    expect((await s.get('api.example.test', '/beta/x')).text).toBe('beta');
    expect((await s.get('api.example.test', '/other')).status).toBe(404);
  });

  it('writes an audit log of mutations', async () => {
    const audit = await s.api('GET', '/v1/audit?limit=500');
    const actions = audit.body.audit.map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['tenant.create', 'version.create', 'version.refused', 'version.rollback']));
  });
});

describe('worker serve: tokens, secrets, logs, crons', () => {
  let s: ServeFixture;
  let tokenA: string;
  beforeAll(async () => {
    s = await startServe();
    await s.api('POST', '/v1/tenants', { name: 'a', hostnames: ['a.example.test'] });
    await s.api('POST', '/v1/tenants', { name: 'b', hostnames: ['b.example.test'] });
    tokenA = (await s.api('POST', '/v1/tokens', { tenant: 'a' })).body.token;
  });
  afterAll(() => s.close());

  it('401s a wrong token; a tenant token cannot touch another tenant or claim its hostname', async () => {
    expect((await s.api('GET', '/v1/tenants', undefined, 'wrong')).status).toBe(401);
    expect((await s.deploy('b', versioned('evil'), {}, tokenA)).status).toBe(403);
    const claim = await s.deploy('a', versioned('evil'), { metadata: { routes: ['b.example.test'] } }, tokenA);
    expect(claim.status).toBe(409);
    const ungranted = await s.deploy('a', versioned('x'), { metadata: { routes: ['new.example.test'] } }, tokenA);
    expect(ungranted.status).toBe(403);
    expect((await s.api('GET', '/v1/tenants', undefined, tokenA)).status).toBe(403);
    const own = await s.deploy('a', versioned('a-ok'), { metadata: { routes: ['a.example.test'] } }, tokenA);
    expect(own.status).toBe(201);
    expect((await s.get('a.example.test')).text).toBe('a-ok');
  });

  it('stores tokens and secrets only as hashes / in an owner-only file', () => {
    const index = readFileSync(join(s.dataDir, 'index.db'));
    expect(index.includes(Buffer.from(tokenA))).toBe(false);
    expect(statSync(join(s.dataDir, 'secrets.db')).mode & 0o077).toBe(0);
  });

  it('delivers secrets through env only; never via the API or logs; they survive rollback', async () => {
    await s.api('PUT', '/v1/tenants/a/secrets/API_KEY', { value: 'sup3r-s3cret' }, tokenA);
    const worker = (v: string) => `export default { fetch: (_r: Request, env: any) => new Response('${v}:' + env.API_KEY + ':' + env.PLAIN) };`;
    await s.deploy('a', worker('w1'), { metadata: { vars: { PLAIN: 'p' } } }, tokenA);
    expect((await s.get('a.localhost')).text).toBe('w1:sup3r-s3cret:p');
    await s.deploy('a', worker('w2'), { metadata: { vars: { PLAIN: 'p' } } }, tokenA);
    await s.api('POST', '/v1/tenants/a/rollback', {}, tokenA);
    expect((await s.get('a.localhost')).text).toBe('w1:sup3r-s3cret:p');
    const list = await s.api('GET', '/v1/tenants/a/secrets', undefined, tokenA);
    expect(list.body).toEqual({ secrets: ['API_KEY'] });
    const everything = JSON.stringify([
      (await s.api('GET', '/v1/tenants/a', undefined, tokenA)).body,
      (await s.api('GET', '/v1/tenants/a/versions', undefined, tokenA)).body,
      (await s.api('GET', '/v1/audit?limit=1000')).body,
      (await s.api('GET', '/v1/tenants/a/logs?limit=1000', undefined, tokenA)).body,
      s.lines,
    ]);
    expect(everything).not.toContain('sup3r-s3cret');
  });

  it('streams live logs (console.log and access lines) to a tail', async () => {
    await s.deploy('a', `export default { fetch: () => { console.log('hello from the worker'); return new Response('logged'); } };`, {}, tokenA);
    const res = await fetch(s.server.adminUrl + '/v1/tenants/a/logs/live', { headers: { authorization: `Bearer ${tokenA}` } });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value, { stream: true });
    await s.get('a.localhost');
    while (!(text.includes('hello from the worker') && text.includes('"kind":"access"'))) {
      text += decoder.decode((await reader.read()).value, { stream: true });
    }
    await reader.cancel();
    expect(text).toMatch(/"level":"log","message":"hello from the worker"/);
  });

  it('fires cron triggers in a fresh isolate', async () => {
    await s.deploy('b', `export default {
      fetch: () => new Response('b'),
      scheduled(controller: { cron: string }) { console.log('cron ran: ' + controller.cron); },
    };`, { metadata: { crons: ['* * * * * *'] } });
    const deadline = Date.now() + 5000;
    while (!s.lines.some((l) => l.includes('cron ran: * * * * * *')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(s.lines.some((l) => l.includes('cron ran: * * * * * *'))).toBe(true);
    // An invalid expression is refused at deploy.
    expect((await s.deploy('b', versioned('b'), { metadata: { crons: ['not a cron'] } })).status).toBe(400);
  });
});

describe('worker serve: operations', () => {
  it('keeps every tenant serving its active version across a restart', async () => {
    const s = await startServe();
    try {
      await s.deploy('one', versioned('one-v1'));
      await s.deploy('one', versioned('one-v2'));
      await s.api('POST', '/v1/tenants/one/rollback', {});
      await s.deploy('two', versioned('two-v1'));
      await s.restart();
      expect((await s.get('one.localhost')).text).toBe('one-v1');
      expect((await s.get('two.localhost')).text).toBe('two-v1');
    } finally {
      await s.close();
    }
  });

  it('restarts a host killed mid-load: only the requests it was running fail; the socket keeps queueing', async () => {
    const s = await startServe();
    try {
      await s.deploy('k', `export default { fetch: async () => { await new Promise((r) => setTimeout(r, 20)); return new Response('alive'); } };`);
      const clients = 4;
      let stop = false;
      let ok = 0;
      let killed = false;
      let okAfterKill = 0;
      const failures: number[] = [];
      const load = Promise.all(Array.from({ length: clients }, async () => {
        while (!stop) {
          const r = await s.get('k.localhost').catch(() => ({ status: 0, text: '' }));
          if (r.status === 200 && r.text === 'alive') {
            ok++;
            if (killed) okAfterKill++;
          } else failures.push(r.status);
        }
      }));
      // Kill it mid-load, once it is serving.
      while (ok < clients) await new Promise((r) => setTimeout(r, 10));
      s.server.host.kill('SIGKILL');
      killed = true;
      // Keep the load on until the restarted host served a round (however long its start takes here).
      const until = Date.now() + 15_000;
      while (okAfterKill < 2 * clients && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      stop = true;
      await load;
      // At most one in-flight request per client dies with the host; everything after the restart succeeds.
      expect(failures.length).toBeLessThanOrEqual(clients);
      expect(okAfterKill).toBeGreaterThanOrEqual(2 * clients);
      expect((await s.get('k.localhost')).text).toBe('alive');
      expect(s.lines.some((l) => /host process exited/.test(l))).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('drains in-flight requests on stop', async () => {
    const s = await startServe();
    try {
      await s.deploy('slow', `export default { fetch: async () => { console.log('slow request started'); await new Promise((r) => setTimeout(r, 400)); return new Response('finished'); } };`);
      const pending = s.get('slow.localhost');
      // Stop once the request is really in flight (its handler logged), not merely sent.
      while (!s.lines.some((l) => l.includes('slow request started'))) await new Promise((r) => setTimeout(r, 10));
      await s.server.stop();
      expect(await pending).toMatchObject({ status: 200, text: 'finished' });
    } finally {
      await s.close();
    }
  });

  it('ignores X-Forwarded-* unless --trust-proxy', async () => {
    const worker = `export default { fetch: (r: Request) => new Response(r.url + ' ' + r.headers.get('x-isle-client-ip')) };`;
    const off = await startServe();
    const on = await startServe({ trustProxy: true });
    try {
      await off.deploy('p', worker);
      await on.deploy('p', worker);
      const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example', 'x-forwarded-for': '203.0.113.9' };
      expect((await off.get('p.localhost', '/x', { headers })).text).toBe('http://p.localhost/x 127.0.0.1');
      // The Host header still routes; the forwarded host and scheme shape request.url.
      expect((await on.get('p.localhost', '/x', { headers })).text).toBe('https://public.example/x 203.0.113.9');
    } finally {
      await off.close();
      await on.close();
    }
  });
});

void ADMIN_TOKEN;
