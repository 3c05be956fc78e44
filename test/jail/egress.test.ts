// Egress end to end from a jailed host: tenant fetch() → host → CONNECT over the broker socket →
// the supervisor's broker (own DNS, the policy, the admin's per-tenant grants) → upstream. TLS is
// done in the host with its own certificate check. Refusals carry the broker's reason.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemResolver, type Resolver } from '../../runtime/host/egress/connect.ts';
import { describeJail, startProbeServe, type ProbeServe } from './support/fixture.ts';

const FETCHER = `export default {
  async fetch(req) {
    const u = new URL(req.url).searchParams.get('u');
    try {
      const r = await fetch(u);
      return new Response(r.status + ' ' + (await r.text()));
    } catch (e) {
      return new Response('ERR ' + e.name + ': ' + e.message, { status: 502 });
    }
  },
};`;

const resolver: Resolver = async (name) => {
  if (name === 'metadata.test') return [{ address: '169.254.169.254', family: 4 }];
  if (name === 'upstream.test' || name === 'secure.test') return [{ address: '127.0.0.1', family: 4 }];
  return systemResolver(name);
};

describeJail('egress from the jailed host goes through the broker', () => {
  let s: ProbeServe;
  let http: Server;
  let https: Server;
  let httpPort = 0;
  let httpsPort = 0;
  let certDir = '';

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'isle-jail-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=secure.test', '-addext', 'subjectAltName=DNS:secure.test',
      '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(certDir, 'cert.pem'), 'utf8');
    http = createServer((req, res) => res.end(`upstream ok ${req.headers.host}`));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpPort = (http.address() as AddressInfo).port;
    https = createTlsServer({ key: readFileSync(join(certDir, 'key.pem')), cert }, (req, res) => {
      res.end(`tls upstream ok, sni=${(req.socket as import('node:tls').TLSSocket).servername}`);
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    httpsPort = (https.address() as AddressInfo).port;

    s = await startProbeServe('on', { ca: cert, testHooks: { brokerResolver: resolver } });
    expect((await s.deploy('egress', FETCHER)).status).toBe(201);
    expect((await s.deploy('other', FETCHER)).status).toBe(201);
    // The admin grants the loopback upstreams to tenant "egress" only.
    const granted = await s.api('PATCH', '/v1/tenants/egress', { allowEgress: [`127.0.0.1:${httpPort}`, `127.0.0.1:${httpsPort}`] });
    expect(granted.status).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
    await new Promise<void>((r) => http.close(() => r()));
    await new Promise<void>((r) => https.close(() => r()));
    rmSync(certDir, { recursive: true, force: true });
  });

  const fetchAs = async (tenant: string, url: string) => (await s.get(`${tenant}.localhost`, `/?u=${encodeURIComponent(url)}`)).text;

  it('reaches an allow-listed loopback upstream over HTTP, by address and by a name the broker resolves', async () => {
    expect(await fetchAs('egress', `http://127.0.0.1:${httpPort}/allowed`)).toBe(`200 upstream ok 127.0.0.1:${httpPort}`);
    expect(await fetchAs('egress', `http://upstream.test:${httpPort}/`)).toBe(`200 upstream ok upstream.test:${httpPort}`);
    // Logged by the supervisor's broker, under the tenant.
    await s.waitForLine(new RegExp(`^\\[isle info\\] egress egress allowed: 127\\.0\\.0\\.1:${httpPort} → 127\\.0\\.0\\.1:${httpPort}$`));
  });

  it('speaks TLS end to end: the host checks the certificate against the URL host', async () => {
    expect(await fetchAs('egress', `https://secure.test:${httpsPort}/`)).toBe('200 tls upstream ok, sni=secure.test');
    // Same upstream by address: the certificate does not name 127.0.0.1, and the host refuses it.
    expect(await fetchAs('egress', `https://127.0.0.1:${httpsPort}/`)).toMatch(/^ERR TypeError: .*(altname|does not match|IP: 127\.0\.0\.1 is not in the cert)/i);
  });

  it('refuses inner and metadata targets with the broker\'s reason', async () => {
    const cases: [string, string][] = [
      ['http://127.0.0.1:22/', '127.0.0.1 is a loopback address'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a cloud metadata address'],
      ['http://metadata.test/latest/meta-data/', '169.254.169.254 is a cloud metadata address (metadata.test resolved to it)'],
      ['http://[::ffff:10.0.0.1]/', '::ffff:a00:1 is a private address (in IPv4-mapped 10.0.0.1)'],
      ['https://[fd00:ec2::254]/', 'fd00:ec2::254 is a cloud metadata address'],
    ];
    for (const [url, reason] of cases) {
      const text = await fetchAs('egress', url);
      expect(text, url).toContain('blocked by the egress policy: ' + reason);
      // The decision was the broker's (logged by the supervisor), not the host's.
      const target = new URL(url);
      const authority = `${target.hostname}:${target.port || (target.protocol === 'https:' ? 443 : 80)}`;
      await s.waitForLine(new RegExp(`egress denied: ${authority.replace(/[.[\]:]/g, (c) => `\\${c}`)}: ${reason.replace(/[.()]/g, (c) => `\\${c}`)}`));
    }
  });

  it('applies grants per tenant, from the store: another tenant cannot reach the granted upstream', async () => {
    expect(await fetchAs('other', `http://127.0.0.1:${httpPort}/`)).toContain('blocked by the egress policy: 127.0.0.1 is a loopback address');
  });

  it('is the only way out for raw host code too; a forged tenant name gets only what the admin granted some tenant', async () => {
    const probe = async (q: string) => JSON.parse((await s.get('probe.localhost', `/__probe/connect?${q}`)).text);
    expect(await probe('host=127.0.0.1&port=22&tenant=egress')).toMatchObject({ ok: false, error: 'EgressDeniedError', reason: '127.0.0.1 is a loopback address' });
    expect(await probe(`host=127.0.0.1&port=${httpPort}`)).toMatchObject({ ok: false, reason: '127.0.0.1 is a loopback address' });
    expect(await probe(`host=127.0.0.1&port=${httpPort}&tenant=nosuch`)).toMatchObject({ ok: false });
    // Documented limit: the host runs every tenant, so it can name any of them.
    expect(await probe(`host=127.0.0.1&port=${httpPort}&tenant=egress`)).toMatchObject({ ok: true });
  });
});
