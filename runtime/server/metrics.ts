// Prometheus metrics of `worker serve` (GET /metrics on the admin port).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LogRecord } from '../host/log.ts';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'isle_requests_total', help: 'Requests served, by tenant and status', labelNames: ['tenant', 'status'], registers: [this.registry],
  });
  readonly cpu = new Histogram({
    name: 'isle_request_cpu_ms', help: 'CPU time per request (ms)', labelNames: ['tenant'],
    buckets: [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000, 30000], registers: [this.registry],
  });
  readonly wall = new Histogram({
    name: 'isle_request_wall_ms', help: 'Wall time per request (ms)', labelNames: ['tenant'],
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000, 30000], registers: [this.registry],
  });
  readonly isolates = new Counter({
    name: 'isle_isolates_created_total', help: 'Isolates created to serve requests (request isolation: one per request)', labelNames: ['tenant'], registers: [this.registry],
  });
  readonly limitHits = new Counter({
    name: 'isle_limit_hits_total', help: 'Requests ended by a limit', labelNames: ['tenant', 'limit'], registers: [this.registry],
  });
  readonly deploys = new Counter({
    name: 'isle_deploys_total', help: 'Versions deployed', labelNames: ['tenant', 'result'], registers: [this.registry],
  });
  readonly hostRestarts = new Counter({
    name: 'isle_host_restarts_total', help: 'Host process restarts after a crash', registers: [this.registry],
  });
  readonly securityEvents = new Counter({
    name: 'isle_security_events_total', help: 'Security events (a jailed host killed by seccomp)', labelNames: ['kind'], registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'isle_supervisor_' });
  }

  observeRequest(tenant: string, a: NonNullable<LogRecord['access']>): void {
    this.requests.inc({ tenant, status: String(a.status) });
    this.cpu.observe({ tenant }, a.cpuMs);
    this.wall.observe({ tenant }, a.wallMs);
    this.isolates.inc({ tenant });
    if (a.outcome === 'cpu' || a.outcome === 'wall' || a.outcome === 'memory') this.limitHits.inc({ tenant, limit: a.outcome });
  }
}
