// The connect seam on its own: resolve once, check every address, connect to the checked address,
// TLS for the original name. Driven through undici's request() on the egress dispatcher.
import { createServer, type Server } from 'node:http';
import { createServer as createTLSServer, type Server as TLSServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createEgress, EgressDeniedError, type ResolvedAddress } from '../runtime/host/egress/connect.ts';
import { hasOpenssl, selfSignedCert } from './support/tls.ts';

function listen(server: Server | TLSServer, host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | TLSServer): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** An upstream that says who it is and counts the TCP connections it accepted. */
function upstream(name: string) {
  const stats = { connections: 0, requests: 0 };
  const server = createServer((req, res) => {
    stats.requests++;
    res.setHeader('connection', 'close');
    res.end(`${name} ${req.headers.host}`);
  });
  server.on('connection', () => stats.connections++);
  return { server, stats };
}

describe('egress connect seam', () => {
  const a = upstream('A');
  const b = upstream('B');
  let port = 0;

  beforeAll(async () => {
    port = await listen(a.server, '127.0.0.1');
    await listen(b.server, '127.0.0.2', port);
  });
  afterAll(async () => {
    await close(a.server);
    await close(b.server);
  });

  it('refuses loopback without a rule, before connecting', async () => {
    const egress = createEgress();
    const before = a.stats.connections;
    const err = await request(`http://127.0.0.1:${port}/`, { dispatcher: egress.dispatcher }).catch((e) => e);
    expect(err).toBeInstanceOf(EgressDeniedError);
    expect(err.reason).toBe('127.0.0.1 is a loopback address');
    expect(a.stats.connections).toBe(before);
    await egress.close();
  });

  it('refuses a name when ANY of its addresses is private', async () => {
    const egress = createEgress({
      resolver: async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.8', family: 4 }],
    });
    const err = await request('http://mixed.test/', { dispatcher: egress.dispatcher }).catch((e) => e);
    expect(err).toBeInstanceOf(EgressDeniedError);
    expect(err.reason).toBe('10.0.0.8 is a private address (mixed.test resolved to it)');
    await egress.close();
  });

  it('DNS rebinding: connects to the address it checked, resolving once per connection', async () => {
    const answers: ResolvedAddress[][] = [
      [{ address: '127.0.0.1', family: 4 }], // allowed by the rule below (stands in for a public address)
      [{ address: '127.0.0.2', family: 4 }], // the rebound, forbidden answer
      [{ address: '127.0.0.2', family: 4 }],
    ];
    let lookups = 0;
    const egress = createEgress({
      allow: ['127.0.0.1'],
      resolver: async () => answers[Math.min(lookups++, answers.length - 1)]!,
    });
    const aBefore = a.stats.connections;
    const r = await request(`http://rebind.test:${port}/`, { dispatcher: egress.dispatcher });
    expect(await r.body.text()).toBe(`A rebind.test:${port}`);
    expect(lookups).toBe(1);
    expect(a.stats.connections).toBe(aBefore + 1);
    expect(b.stats.connections).toBe(0);

    // The next connection resolves again and gets the private answer: refused, B never reached.
    const err = await request(`http://rebind.test:${port}/`, { dispatcher: egress.dispatcher }).catch((e) => e);
    expect(err).toBeInstanceOf(EgressDeniedError);
    expect(err.reason).toMatch(/^127\.0\.0\.2 is a loopback address/);
    expect(lookups).toBe(2);
    expect(b.stats.connections).toBe(0);
    await egress.close();
  });

  it('a name rule trusts the name and still dials only what was resolved', async () => {
    let lookups = 0;
    const egress = createEgress({
      allow: [`svc.internal:${port}`],
      resolver: async () => {
        lookups++;
        return [{ address: '127.0.0.2', family: 4 }];
      },
    });
    const r = await request(`http://svc.internal:${port}/`, { dispatcher: egress.dispatcher });
    expect(await r.body.text()).toBe(`B svc.internal:${port}`);
    expect(lookups).toBe(1);
    const err = await request(`http://svc.internal:${port + 1}/`, { dispatcher: egress.dispatcher }).catch((e) => e);
    expect(err).toBeInstanceOf(EgressDeniedError);
    await egress.close();
  });

  it('the transport is swappable (e.g. a broker outside the jail): TLS and pooling stay in createEgress', async () => {
    const opened: string[] = [];
    const { EgressPolicy } = await import('../runtime/host/egress/policy.ts');
    const { connect } = await import('node:net');
    const policy = new EgressPolicy(['broker.test']);
    const egress = createEgress({
      transport: {
        policy,
        async open({ hostname, port: p }) {
          opened.push(`${hostname}:${p}`);
          // A broker would send "CONNECT hostname:port" over its unix socket; here: dial A directly.
          const socket = connect({ host: '127.0.0.1', port });
          await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
          return socket;
        },
      },
    });
    const r = await request(`http://broker.test:${port}/`, { dispatcher: egress.dispatcher });
    expect(await r.body.text()).toBe(`A broker.test:${port}`);
    expect(opened).toEqual([`broker.test:${port}`]);
    expect(egress.policy).toBe(policy);
    await egress.close();
  });

  it('falls back across several checked addresses', async () => {
    const egress = createEgress({
      allow: ['127.0.0.0/8'],
      resolver: async () => [{ address: '127.0.0.3', family: 4 }, { address: '127.0.0.1', family: 4 }],
    });
    const r = await request(`http://two.test:${port}/`, { dispatcher: egress.dispatcher });
    expect(await r.body.text()).toBe(`A two.test:${port}`);
    await egress.close();
  });
});

describe.skipIf(!hasOpenssl)('egress TLS', () => {
  let cert = '';
  let server: TLSServer;
  let port = 0;
  const seen: (string | false | null)[] = [];

  beforeAll(async () => {
    const pair = selfSignedCert('svc.test');
    cert = pair.cert;
    server = createTLSServer({ key: pair.key, cert }, (req, res) => {
      seen.push((req.socket as TLSSocket).servername);
      res.end('secure');
    });
    port = await listen(server, '127.0.0.1');
  });
  afterAll(async () => {
    await close(server);
  });

  it('sends SNI for the URL host and verifies the certificate against it, not the address', async () => {
    const egress = createEgress({
      allow: ['127.0.0.1'],
      resolver: async () => [{ address: '127.0.0.1', family: 4 }],
      tls: { ca: cert },
    });
    const r = await request(`https://svc.test:${port}/`, { dispatcher: egress.dispatcher });
    expect(await r.body.text()).toBe('secure');
    expect(seen).toEqual(['svc.test']);

    const wrongName = await request(`https://other.test:${port}/`, { dispatcher: egress.dispatcher }).catch((e) => e);
    expect(wrongName.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    await egress.close();

    const untrusted = createEgress({ allow: ['127.0.0.1'], resolver: async () => [{ address: '127.0.0.1', family: 4 }] });
    const err = await request(`https://svc.test:${port}/`, { dispatcher: untrusted.dispatcher }).catch((e) => e);
    expect(err.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    await untrusted.close();
  });
});
