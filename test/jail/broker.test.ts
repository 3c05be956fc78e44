// The egress broker (supervisor side) and the host's broker transport, over a real unix socket:
// the policy on ~40 targets, per-tenant grants taken from the supervisor only, the checked address
// is the one dialled, and tenant fetches through undici + TLS inside the "host".
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createTLSServer } from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgress, EgressDeniedError, type Dialer, type Resolver } from '../../runtime/host/egress/connect.ts';
import { EgressPolicy } from '../../runtime/host/egress/policy.ts';
import { parseAuthority, startEgressBroker, type BrokerDecision, type EgressBroker } from '../../runtime/jail/broker.ts';
import { BrokerTransport } from '../../runtime/jail/broker-client.ts';
import { hasOpenssl, selfSignedCert } from '../support/tls.ts';

const dir = mkdtempSync(join(tmpdir(), 'isle-broker-'));
const socketPath = join(dir, 'egress.sock');
const decisions: BrokerDecision[] = [];
const dialled: string[] = [];
let broker: EgressBroker;
let upstream: Server;
let upstreamPort = 0;

// Stub DNS: names the tests control.
const zone: Record<string, string[]> = {
  'public.test': ['93.184.215.14'],
  'dual.test': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'rebind.test': ['169.254.169.254'],
  'mixed.test': ['93.184.215.14', '10.1.2.3'],
  'inner6.test': ['fd00::1'],
  'mapped.test': ['::ffff:192.168.0.1'],
  'api.internal': ['10.9.9.9'],
};
const resolver: Resolver = async (name) => {
  const answers = zone[name];
  if (!answers) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
// Every allowed dial lands on the local upstream; the test records which address was checked.
const dialer: Dialer = ({ addresses, port }) =>
  new Promise((resolve, reject) => {
    dialled.push(`${addresses.map((a) => a.address).join(',')}:${port}`);
    const s = net.connect({ host: '127.0.0.1', port: upstreamPort });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });

beforeAll(async () => {
  upstream = createServer((req, res) => res.end(`upstream saw ${req.headers.host} ${req.url}`));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamPort = (upstream.address() as net.AddressInfo).port;
  broker = await startEgressBroker({
    socketPath,
    rulesFor: (tenant) => ({ alpha: ['127.0.0.1:7001', 'api.internal'], beta: [] } as Record<string, string[]>)[tenant],
    log: (d) => decisions.push(d),
    resolver,
    dialer,
  });
});
afterAll(async () => {
  await broker.close();
  await new Promise<void>((r) => upstream.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const open = (host: string, port: number, tenant?: string) =>
  new BrokerTransport({ socketPath, policy: new EgressPolicy([]), ...(tenant && { tenant }) }).open({ hostname: host, port });

async function outcome(host: string, port = 443, tenant?: string): Promise<string> {
  try {
    const s = await open(host, port, tenant);
    s.destroy();
    return 'allow';
  } catch (e) {
    if (e instanceof EgressDeniedError) return `deny: ${e.reason}`;
    return `error: ${(e as Error).message}`;
  }
}

describe('egress broker: the policy on ~40 targets', () => {
  const denied: [string, RegExp][] = [
    ['127.0.0.1', /loopback/],
    ['127.1.2.3', /loopback/],
    ['10.0.0.1', /private/],
    ['172.16.5.4', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /metadata/],
    ['169.254.1.1', /link-local/],
    ['100.64.0.1', /shared/],
    ['100.100.100.200', /metadata/],
    ['168.63.129.16', /metadata/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['192.0.2.1', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['[::1]', /loopback/],
    ['[::]', /unspecified/],
    ['[::ffff:127.0.0.1]', /loopback.*IPv4-mapped/],
    ['[::ffff:10.0.0.1]', /private.*IPv4-mapped 10\.0\.0\.1/],
    ['[::ffff:a9fe:a9fe]', /metadata/],
    ['[64:ff9b::a9fe:a9fe]', /metadata.*NAT64/],
    ['[64:ff9b::7f00:1]', /loopback.*NAT64/],
    ['[2002:7f00:1::1]', /loopback.*6to4/],
    ['[2002:a9fe:a9fe::1]', /metadata.*6to4/],
    ['[2001:0:4136:e378:8000:63bf:3fff:fdd2]', /Teredo/],
    ['[fd00:ec2::254]', /metadata/],
    ['[fe80::1]', /link-local/],
    ['[fc00::1]', /unique local/],
    ['[ff02::1]', /multicast/],
    ['[fec0::1]', /site-local/],
    ['[::127.0.0.1]', /IPv4-compatible/],
    ['[2001:db8::1]', /documentation/],
    ['localhost', /local name/],
    ['api.localhost', /local name/],
    ['rebind.test', /169\.254\.169\.254 is a cloud metadata address \(rebind\.test resolved to it\)/],
    ['mixed.test', /10\.1\.2\.3 is a private address/],
    ['inner6.test', /unique local/],
    ['mapped.test', /private/],
  ];
  for (const [host, reason] of denied) {
    it(`refuses ${host}`, async () => {
      expect(await outcome(host)).toMatch(new RegExp(`^deny: .*${reason.source}`));
    });
  }

  it('allows public addresses and names, and dials exactly the checked addresses', async () => {
    dialled.length = 0;
    expect(await outcome('93.184.215.14')).toBe('allow');
    expect(await outcome('[2606:4700::1111]', 80)).toBe('allow');
    expect(await outcome('public.test')).toBe('allow');
    expect(await outcome('dual.test', 8443)).toBe('allow');
    expect(dialled).toEqual(['93.184.215.14:443', '2606:4700::1111:80', '93.184.215.14:443', '93.184.215.14,2606:2800:21f:cb07:6820:80da:af6b:8b2c:8443']);
  });

  it('reports resolution failures without allowing anything', async () => {
    expect(await outcome('nowhere.test')).toMatch(/^error: .*ENOTFOUND/);
  });

  it('applies only the grants the supervisor holds for the named tenant', async () => {
    expect(await outcome('127.0.0.1', 7001, 'alpha')).toBe('allow');
    expect(await outcome('api.internal', 9999, 'alpha')).toBe('allow'); // name grant: no address check
    expect(await outcome('127.0.0.1', 7002, 'alpha')).toMatch(/^deny: .*loopback/); // port not granted
    expect(await outcome('127.0.0.1', 7001, 'beta')).toMatch(/^deny: .*loopback/);
    expect(await outcome('127.0.0.1', 7001, 'nosuchtenant')).toMatch(/^deny: .*loopback/);
    expect(await outcome('127.0.0.1', 7001)).toMatch(/^deny: .*loopback/);
    // A malformed tenant name selects nothing (the header is the host's word, not the admin's).
    expect(await outcome('127.0.0.1', 7001, 'alpha x')).toMatch(/^deny: .*loopback/);
  });

  it('logs every decision with the tenant and the reason', async () => {
    decisions.length = 0;
    await outcome('169.254.169.254', 80, 'beta');
    await outcome('public.test', 443, 'beta');
    expect(decisions).toEqual([
      expect.objectContaining({ tenant: 'beta', target: '169.254.169.254:80', allow: false, reason: '169.254.169.254 is a cloud metadata address' }),
      expect.objectContaining({ tenant: 'beta', target: 'public.test:443', allow: true, address: expect.stringMatching(/^127\.0\.0\.1:443$/) }),
    ]);
  });

  it('answers only CONNECT, and refuses malformed targets', async () => {
    const get = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ socketPath, path: '/', method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(get).toBe(405);
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect({ path: socketPath }, () => s.write('CONNECT user@host:80 HTTP/1.1\r\nhost: x\r\n\r\n'));
      let text = '';
      s.on('data', (c) => (text += c));
      s.on('close', () => resolve(text));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(parseAuthority('[::1]:443')).toEqual({ host: '::1', port: 443 });
    expect(parseAuthority('example.com:0')).toBeUndefined();
    expect(parseAuthority('example.com')).toBeUndefined();
    expect(parseAuthority('a b:80')).toBeUndefined();
  });
});

describe('egress through the broker with undici (the jailed host path)', () => {
  it('fetches over HTTP through a CONNECT tunnel, pooling the tunnel', async () => {
    const egress = createEgress({
      transport: new BrokerTransport({ socketPath, policy: new EgressPolicy([]), tenant: 'alpha' }),
    });
    try {
      const before = decisions.length;
      for (let i = 0; i < 6; i++) {
        const res = await request(`http://public.test:8080/path?q=${i}`, { dispatcher: egress.dispatcher });
        expect(await res.body.text()).toBe(`upstream saw public.test:8080 /path?q=${i}`);
      }
      // keep-alive: tunnels are pooled (undici may open a second one while the first is released)
      expect(decisions.length - before).toBeLessThanOrEqual(2);
    } finally {
      await egress.close();
    }
  });

  it('surfaces a refusal as EgressDeniedError with the broker\'s reason', async () => {
    const egress = createEgress({ transport: new BrokerTransport({ socketPath, policy: new EgressPolicy([]) }) });
    try {
      const err = await request('http://rebind.test/', { dispatcher: egress.dispatcher }).then(() => null, (e) => e);
      expect(err).toBeInstanceOf(EgressDeniedError);
      expect(err.reason).toBe('169.254.169.254 is a cloud metadata address (rebind.test resolved to it)');
      expect(err.category).toBe('metadata');
    } finally {
      await egress.close();
    }
  });
});

describe.skipIf(!hasOpenssl && !process.env.CI)('TLS through the broker stays end to end', () => {
  it('verifies the upstream certificate inside the host (SNI = URL host)', async () => {
    const { key, cert } = selfSignedCert('secure.test');
    const tlsServer = createTLSServer({ key, cert }, (req, res) => {
      res.end(`tls ok, sni=${(req.socket as import('node:tls').TLSSocket).servername}`);
    });
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    const tlsPort = (tlsServer.address() as net.AddressInfo).port;
    const tlsBroker = await startEgressBroker({
      socketPath: join(dir, 'tls.sock'),
      rulesFor: () => undefined,
      log: () => {},
      resolver: async () => [{ address: '93.184.215.14', family: 4 }],
      dialer: () => new Promise((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: tlsPort }, () => resolve(s));
      }),
    });
    const egress = createEgress({ transport: new BrokerTransport({ socketPath: join(dir, 'tls.sock'), policy: new EgressPolicy([]) }), tls: { ca: cert } });
    const untrusted = createEgress({ transport: new BrokerTransport({ socketPath: join(dir, 'tls.sock'), policy: new EgressPolicy([]) }) });
    try {
      const res = await request('https://secure.test/', { dispatcher: egress.dispatcher });
      expect(await res.body.text()).toBe('tls ok, sni=secure.test');
      // Without the test CA the host itself refuses the certificate: the check is not the broker's.
      const err = await request('https://secure.test/', { dispatcher: untrusted.dispatcher }).then(() => null, (e) => e);
      expect(String(err?.code ?? err?.message)).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    } finally {
      await egress.close();
      await untrusted.close();
      await tlsBroker.close();
      await new Promise<void>((r) => tlsServer.close(() => r()));
    }
  });
});
