// `npm run bench`: hello-world throughput and latency through `worker dev` in request and tenant
// isolation, against a plain node:http server, in one run. Rounds are interleaved and medians
// reported, so background noise hits every target alike. Writes bench/results.json.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startIsleDev, startNodeBaseline, type RunningTarget } from './servers.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 4000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const hello = fileURLToPath(new URL('../templates/hello', import.meta.url));

interface LoadResult { requests: number; errors: number; rps: number; p50: number; p99: number }

function load(url: string, durationMs: number): LoadResult {
  const out = execFileSync(process.execPath, [fileURLToPath(new URL('./load.ts', import.meta.url)), url, String(CONNECTIONS), String(durationMs)], { encoding: 'utf8' });
  return JSON.parse(out) as LoadResult;
}

const scenarios: { name: string; start: () => Promise<RunningTarget> }[] = [
  { name: 'node:http (baseline)', start: startNodeBaseline },
  { name: 'isle dev --isolation request', start: () => startIsleDev(hello, 'request') },
  { name: 'isle dev --isolation tenant', start: () => startIsleDev(hello, 'tenant') },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = new Map<string, { rps: number[]; p50: number[]; p99: number[]; rss: number[]; errors: number }>();

for (let round = 1; round <= ROUNDS; round++) {
  for (const s of scenarios) {
    const target = await s.start();
    try {
      load(target.url, 500); // warm-up
      const r = load(target.url, DURATION_MS);
      const entry = results.get(s.name) ?? { rps: [], p50: [], p99: [], rss: [], errors: 0 };
      entry.rps.push(r.rps);
      entry.p50.push(r.p50);
      entry.p99.push(r.p99);
      entry.rss.push(target.rssMb());
      entry.errors += r.errors;
      results.set(s.name, entry);
      process.stderr.write(`round ${round}: ${s.name}: ${r.rps.toFixed(0)} req/s\n`);
    } finally {
      await target.stop();
    }
  }
}

const rows = scenarios.map((s) => {
  const e = results.get(s.name)!;
  return { scenario: s.name, rps: median(e.rps), p50Ms: median(e.p50), p99Ms: median(e.p99), rssMb: median(e.rss), errors: e.errors };
});
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
console.log(`\nhello world, ${CONNECTIONS} connections, ${DURATION_MS / 1000}s × ${ROUNDS} interleaved rounds (medians) on ${machine}\n`);
console.log('| scenario | req/s | p50 ms | p99 ms | server RSS MB | errors |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.scenario} | ${r.rps.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.rssMb.toFixed(0)} | ${r.errors} |`);
}
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), machine, connections: CONNECTIONS, durationMs: DURATION_MS, rounds: ROUNDS, rows }, null, 2) + '\n');
