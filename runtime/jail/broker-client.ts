// The jailed host's egress transport: every outbound connection is a CONNECT tunnel through the
// supervisor's broker (runtime/jail/broker.ts) over a unix socket. The host resolves nothing and
// has no network of its own; TLS is layered on the tunnel by createEgress (runtime/host/egress/
// connect.ts), inside the host, so certificate checks stay end to end and the broker never sees
// plaintext. The broker's decision is final; a refusal comes back as EgressDeniedError with the
// broker's reason, exactly as a local policy refusal would.
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { configureEgress, EgressDeniedError, formatHostPort, type EgressTransport, type OpenRequest } from '../host/egress/connect.ts';
import { EgressPolicy, normalizeHost, type AddressCategory } from '../host/egress/policy.ts';
import { ADDRESS_HEADER, CATEGORY_HEADER, REASON_HEADER, TENANT_HEADER } from './broker.ts';

export interface BrokerTransportOptions {
  socketPath: string;
  /** What callers see as the policy (their early preflight); the broker decides regardless. */
  policy: EgressPolicy;
  tenant?: string;
  connectTimeoutMs?: number;
}

const MAX_HEAD = 16 * 1024;

export class BrokerTransport implements EgressTransport {
  readonly policy: EgressPolicy;
  #socketPath: string;
  #tenant: string | undefined;
  #timeoutMs: number;

  constructor(o: BrokerTransportOptions) {
    this.policy = o.policy;
    this.#socketPath = o.socketPath;
    this.#tenant = o.tenant;
    this.#timeoutMs = o.connectTimeoutMs ?? 15_000;
  }

  open({ hostname, port }: OpenRequest): Promise<Duplex> {
    const host = normalizeHost(hostname);
    const authority = formatHostPort(host, port);
    return new Promise<Duplex>((resolve, reject) => {
      const socket = net.connect({ path: this.#socketPath });
      let head = Buffer.alloc(0);
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      };
      const timer = setTimeout(() => fail(new Error(`egress broker: connect to ${authority} timed out after ${this.#timeoutMs} ms`)), this.#timeoutMs);
      socket.once('error', (e) => fail(new Error(`egress broker unreachable: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      socket.once('close', () => fail(new Error('egress broker closed the connection')));
      socket.once('connect', () => {
        const tenantLine = this.#tenant ? `${TENANT_HEADER}: ${this.#tenant}\r\n` : '';
        socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${tenantLine}\r\n`);
      });
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) {
          if (head.length > MAX_HEAD) fail(new Error('egress broker: response head too large'));
          return;
        }
        socket.off('data', onData);
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const rest = head.subarray(end + 4);
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
        const headers = new Map<string, string>();
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
        if (status === 200) {
          settled = true;
          clearTimeout(timer);
          socket.removeAllListeners('close');
          socket.removeAllListeners('error');
          socket.pause();
          if (rest.length) socket.unshift(rest);
          socket.setNoDelay?.(true);
          resolve(socket);
          return;
        }
        const reason = headers.get(REASON_HEADER) ?? `broker answered ${lines[0] ?? '(nothing)'}`;
        if (status === 403) {
          const address = headers.get(ADDRESS_HEADER);
          const category = headers.get(CATEGORY_HEADER) as AddressCategory | undefined;
          fail(new EgressDeniedError(host, port, { allow: false, reason, ...(address && { address }), ...(category && { category }) }));
        } else {
          fail(new Error(reason));
        }
      };
      socket.on('data', onData);
    });
  }
}

/**
 * The policy a brokered egress shows to its callers: nothing is decided in the host (outbound
 * fetch's early preflight passes everything on), so every decision, literal addresses included, is
 * the broker's, made once and logged in one place.
 */
export class BrokerDecidesPolicy extends EgressPolicy {
  override preflight(): undefined {
    return undefined;
  }
}

/** Routes every egress of this process through the broker at `socketPath`. */
export function useEgressBroker(socketPath: string): void {
  configureEgress({
    transport: (_hostPolicy, { tenant, connectTimeoutMs }) =>
      new BrokerTransport({
        socketPath,
        policy: new BrokerDecidesPolicy(),
        ...(tenant !== undefined && { tenant }),
        ...(connectTimeoutMs !== undefined && { connectTimeoutMs }),
      }),
  });
}
