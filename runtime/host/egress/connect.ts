// The connect seam: every outbound connection a tenant's fetch() makes is opened here.
//
// A name is resolved ONCE, every address it resolved to is checked against the egress policy, and
// the socket is opened to those checked addresses themselves (never by name again), so DNS
// rebinding has nothing to exploit: there is no second lookup whose answer could differ. TLS is
// layered on top with SNI and certificate verification for the original host name.
//
// Layers, so a later issue can move connection-making out of the jail without touching fetch:
//   EgressTransport  — opens a checked plain TCP stream to host:port. `DirectTransport` resolves,
//                      checks and dials from this process; a broker transport would instead send
//                      `CONNECT host:port` over a unix socket to a process outside the jail that
//                      runs the same policy (policy.ts is pure for that reason) and hand back the
//                      stream.
//   createEgress()   — an undici Agent whose `connect` uses the transport and adds TLS.
//   configureEgress() — process-wide choice of the transport for egress created without one: the
//                      jailed host (no network of its own) installs the broker transport
//                      (runtime/jail/broker-client.ts) here, from the settings its supervisor passed.
import { lookup } from 'node:dns/promises';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { EgressPolicy, normalizeHost, parseIP, type AddressCategory, type AllowRule, type EgressDecision } from './policy.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name → addresses (all of them). Injectable for tests; the default asks the system resolver. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, order: 'verbatim' });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** The policy refused a connection. Carries what the tenant and the log need to know. */
export class EgressDeniedError extends Error {
  override name = 'EgressDeniedError';
  readonly code = 'ERR_ISLE_EGRESS_DENIED';
  readonly host: string;
  readonly port: number;
  readonly reason: string;
  readonly address: string | undefined;
  readonly category: AddressCategory | undefined;

  constructor(host: string, port: number, decision: Extract<EgressDecision, { allow: false }>) {
    super(`connection to ${formatHostPort(host, port)} blocked by the egress policy: ${decision.reason}`);
    this.host = host;
    this.port = port;
    this.reason = decision.reason;
    this.address = decision.address;
    this.category = decision.category;
  }
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export interface OpenRequest {
  /** Host as in the URL (name or IP literal; IPv6 with or without brackets). */
  hostname: string;
  port: number;
}

/** Opens checked plain streams. Throws EgressDeniedError when the policy refuses. */
export interface EgressTransport {
  readonly policy: EgressPolicy;
  open(request: OpenRequest): Promise<Duplex>;
}

/** Opens a TCP connection to one of `addresses` (already checked); the default uses node:net. */
export type Dialer = (target: { hostname: string; port: number; addresses: ResolvedAddress[]; timeoutMs: number }) => Promise<Duplex>;

export const netDialer: Dialer = ({ hostname, port, addresses, timeoutMs }) =>
  new Promise<Duplex>((resolve, reject) => {
    const first = addresses[0]!;
    // One address: connect to it directly. Several: Node's Happy Eyeballs over exactly these
    // addresses (the lookup below only hands back what was checked; it never asks DNS).
    const options: net.NetConnectOpts =
      addresses.length === 1
        ? { host: first.address, port, family: first.family }
        : {
            host: hostname,
            port,
            autoSelectFamily: true,
            lookup: ((_name: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
              if (opts.all) cb(null, addresses.map((a) => ({ address: a.address, family: a.family })));
              else cb(null, first.address, first.family);
            }) as net.LookupFunction,
          };
    const socket = net.connect(options);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${formatHostPort(hostname, port)} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
  });

export interface DirectTransportOptions {
  policy: EgressPolicy;
  resolver?: Resolver;
  dialer?: Dialer;
  /** Budget for resolution plus TCP connect (ms). */
  connectTimeoutMs?: number;
}

/** Resolve once, check every address, dial the checked addresses, all in this process. */
export class DirectTransport implements EgressTransport {
  readonly policy: EgressPolicy;
  #resolver: Resolver;
  #dialer: Dialer;
  #timeoutMs: number;

  constructor(options: DirectTransportOptions) {
    this.policy = options.policy;
    this.#resolver = options.resolver ?? systemResolver;
    this.#dialer = options.dialer ?? netDialer;
    this.#timeoutMs = options.connectTimeoutMs ?? 10_000;
  }

  async open({ hostname, port }: OpenRequest): Promise<Duplex> {
    const host = normalizeHost(hostname);
    const pre = this.policy.preflight(host, port);
    if (pre && !pre.allow) throw new EgressDeniedError(host, port, pre);
    let addresses: ResolvedAddress[];
    const literal = parseIP(host);
    if (literal) {
      addresses = [{ address: host, family: literal.family }];
    } else {
      addresses = await this.#resolve(host);
      if (!pre) {
        // Not allowed by name: every address must pass (one bad answer refuses the whole name).
        const decision = this.policy.decide({ host, port, addresses: addresses.map((a) => a.address) });
        if (!decision.allow) throw new EgressDeniedError(host, port, decision);
      } else if (addresses.length === 0) {
        throw new Error(`${host} did not resolve to any address`);
      }
    }
    return this.#dialer({ hostname: host, port, addresses, timeoutMs: this.#timeoutMs });
  }

  async #resolve(host: string): Promise<ResolvedAddress[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`DNS lookup of ${host} timed out`)), this.#timeoutMs);
    });
    try {
      const answers = await Promise.race([this.#resolver(host), timeout]);
      // Copy what we use: later mutation of the resolver's answer cannot change what was checked.
      return answers.map((a) => ({ address: String(a.address), family: a.family === 6 ? 6 : 4 }));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'ENODATA') {
        throw Object.assign(new Error(`DNS lookup of ${host} failed (${err.code})`), { code: err.code });
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}

export interface EgressOptions {
  /** Allow rules (`HOST[:PORT]`), as given to `--allow-egress`. */
  allow?: readonly (string | AllowRule)[];
  /** The tenant the connections are made for (a broker applies that tenant's grants). */
  tenant?: string;
  resolver?: Resolver;
  dialer?: Dialer;
  /** Replaces DirectTransport entirely (e.g. a broker outside the jail). */
  transport?: EgressTransport;
  /** Extra TLS options (tests: `ca`). Verification itself cannot be turned off here. */
  tls?: Pick<tls.ConnectionOptions, 'ca'>;
  connectTimeoutMs?: number;
  /** Idle keep-alive time of pooled connections (ms). */
  keepAliveTimeoutMs?: number;
}

/** A policy plus the undici dispatcher whose every connection goes through it. */
export interface Egress {
  readonly policy: EgressPolicy;
  readonly transport: EgressTransport;
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

/** Makes the transport for an egress created without one (see configureEgress). */
export type TransportFactory = (policy: EgressPolicy, options: { tenant?: string; connectTimeoutMs?: number }) => EgressTransport;

let defaults: { transport?: TransportFactory; tls?: Pick<tls.ConnectionOptions, 'ca'> } = {};

/**
 * Process-wide egress defaults: `transport` replaces DirectTransport for every egress created
 * without an explicit transport (the jailed host: the broker); `tls` adds trusted CAs (tests).
 * Keys given replace the current ones; a key given as undefined restores its default.
 */
export function configureEgress(options: { transport?: TransportFactory | undefined; tls?: Pick<tls.ConnectionOptions, 'ca'> | undefined }): void {
  const next = { ...defaults, ...options };
  defaults = {
    ...(next.transport && { transport: next.transport }),
    ...(next.tls && { tls: next.tls }),
  };
}

/** The trusted-CA setting of configureEgress, for isolate threads to apply too (thread-pool.ts). */
export function egressTlsDefaults(): Pick<tls.ConnectionOptions, 'ca'> | undefined {
  return defaults.tls;
}

export function createEgress(options: EgressOptions = {}): Egress {
  const policy = new EgressPolicy(options.allow ?? []);
  const transport =
    options.transport ??
    defaults.transport?.(policy, {
      ...(options.tenant !== undefined && { tenant: options.tenant }),
      ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
    }) ??
    new DirectTransport({
      policy,
      ...(options.resolver && { resolver: options.resolver }),
      ...(options.dialer && { dialer: options.dialer }),
      ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
    });
  const tlsExtra = options.tls ?? defaults.tls ?? {};
  const connect = (
    opts: { hostname: string; protocol: string; port: string | number; servername?: string | null },
    callback: (err: Error | null, socket: Duplex | null) => void,
  ): void => {
    const secure = opts.protocol === 'https:';
    const port = Number(opts.port) || (secure ? 443 : 80);
    const host = normalizeHost(opts.hostname);
    transport.open({ hostname: host, port }).then(
      (raw) => {
        if (!secure) {
          (raw as net.Socket).setNoDelay?.(true);
          callback(null, raw);
          return;
        }
        // SNI and certificate identity are the URL's host name, not the address we dialled.
        const isLiteral = parseIP(host) !== null;
        const socket = tls.connect({
          ...tlsExtra,
          socket: raw,
          host,
          ...(isLiteral ? {} : { servername: host }),
          ALPNProtocols: ['http/1.1'],
          rejectUnauthorized: true,
        });
        const onError = (err: Error) => {
          socket.destroy();
          raw.destroy();
          callback(err, null);
        };
        socket.once('error', onError);
        socket.once('secureConnect', () => {
          socket.removeListener('error', onError);
          callback(null, socket);
        });
      },
      (err: Error) => callback(err, null),
    );
  };
  const dispatcher = new Agent({
    connect: connect as unknown as Agent.Options['connect'],
    allowH2: false,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    // Subrequests are limited by the request's own deadline; don't let undici cut slow bodies.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  return {
    policy: transport.policy,
    transport,
    dispatcher,
    close: () => dispatcher.close(),
  };
}
