// Collects the host's log records: keeps the recent ones per tenant, feeds live subscribers
// (`worker tail`), and derives the request metrics.
import type { LogRecord } from '../host/log.ts';
import type { Metrics } from './metrics.ts';

const KEEP_PER_TENANT = 1000;

export type LogSubscriber = (record: LogRecord) => void;

export class LogHub {
  #recent = new Map<string, LogRecord[]>();
  #subscribers = new Map<string, Set<LogSubscriber>>();
  #metrics: Metrics;
  #print: (record: LogRecord) => void;

  constructor(metrics: Metrics, print: (record: LogRecord) => void) {
    this.#metrics = metrics;
    this.#print = print;
  }

  publish(record: LogRecord): void {
    const tenant = record.tenant ?? '';
    this.#print(record);
    if (record.kind === 'access' && record.access && tenant) this.#metrics.observeRequest(tenant, record.access);
    if (!tenant) return;
    let list = this.#recent.get(tenant);
    if (!list) this.#recent.set(tenant, (list = []));
    list.push(record);
    if (list.length > KEEP_PER_TENANT) list.splice(0, list.length - KEEP_PER_TENANT);
    for (const s of this.#subscribers.get(tenant) ?? []) s(record);
  }

  recent(tenant: string, limit: number): LogRecord[] {
    const list = this.#recent.get(tenant) ?? [];
    return list.slice(Math.max(0, list.length - limit));
  }

  subscribe(tenant: string, fn: LogSubscriber): () => void {
    let set = this.#subscribers.get(tenant);
    if (!set) this.#subscribers.set(tenant, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  forget(tenant: string): void {
    this.#recent.delete(tenant);
  }
}
