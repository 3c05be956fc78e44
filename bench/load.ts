// A bounded HTTP load generator for the benchmark (runs in its own process so it does not share
// an event loop with the server under test). Targets 127.0.0.1 only.
// Usage: node bench/load.ts URL CONNECTIONS DURATION_MS [METHOD] [BODY_BYTES]
import { Pool } from 'undici';

const [url, connectionsArg, durationArg, method = 'GET', bodyBytesArg = '0'] = process.argv.slice(2);
if (!url || !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url)) {
  console.error('load.ts: URL must be on 127.0.0.1');
  process.exit(2);
}
const connections = Number(connectionsArg ?? 32);
const durationMs = Number(durationArg ?? 5000);
const body = Number(bodyBytesArg) > 0 ? JSON.stringify({ data: 'x'.repeat(Number(bodyBytesArg) - 12) }) : undefined;
const target = new URL(url);
const pool = new Pool(target.origin, { connections, pipelining: 1 });
const latencies: number[] = [];
let errors = 0;
let bytes = 0;
const deadline = performance.now() + durationMs;

async function loop(): Promise<void> {
  while (performance.now() < deadline) {
    const t0 = performance.now();
    try {
      const res = await pool.request({
        path: target.pathname + target.search, method: method as 'GET',
        ...(body && { body, headers: { 'content-type': 'application/json' } }),
      });
      for await (const chunk of res.body) bytes += (chunk as Buffer).byteLength;
      if (res.statusCode >= 400) errors++;
      latencies.push(performance.now() - t0);
    } catch {
      errors++;
    }
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: connections }, loop));
const elapsed = performance.now() - started;
await pool.close();
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! : NaN;
console.log(JSON.stringify({
  requests: latencies.length, errors, rps: latencies.length / (elapsed / 1000), p50: pct(0.5), p99: pct(0.99), mbPerSec: bytes / 1e6 / (elapsed / 1000),
}));
