// `npm run bench`: Isle against its baselines in one run, on the workloads of issue 9.
//
//   workloads  hello (GET /), json (POST of ~1 KB parsed and answered), stream (1 MiB response
//              streamed in 64 KiB chunks), all from bench/targets/worker.ts (or its node:http and
//              hono ports); hono200 (a ~200 KB hono + zod worker, bench/targets/hono-worker).
//   targets    node:http, hono on @hono/node-server, workerd (one reused isolate), Isle in tenant
//              isolation (one warm isolate) and in request isolation (a fresh isolate per request).
//   special    latency of request vs tenant isolation at half of request isolation's saturation
//              rate; host RSS with 64 requests in flight; RSS growth over many requests (leak check);
//              prelude/snapshot size and isolate+context creation time, measured in this process.
//
// Rounds are interleaved (every target once per round) and medians reported, so background load
// hits every target alike. Prints a table, checks the targets and writes bench/results.json.
// Environment: BENCH_ROUNDS (3), BENCH_DURATION_MS (4000), BENCH_CONNECTIONS (32),
// BENCH_LEAK_REQUESTS (100000), BENCH_ONLY (comma-separated target names), BENCH_SKIP_SPECIAL=1.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  hasWorkerd, startHonoNode, startIsle, startNodeBaseline, startWorkerd, type RunningTarget,
} from './servers.ts';
import { measureIsolates, type IsolateMetrics } from './isolates.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 4000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const LEAK_REQUESTS = Number(process.env.BENCH_LEAK_REQUESTS ?? 100_000);
const ONLY = process.env.BENCH_ONLY?.split(',');
const SKIP_SPECIAL = process.env.BENCH_SKIP_SPECIAL === '1';

const workerEntry = fileURLToPath(new URL('./targets/worker.ts', import.meta.url));
const honoEntry = fileURLToPath(new URL('./targets/hono-worker/index.ts', import.meta.url));
const loadScript = fileURLToPath(new URL('./load.ts', import.meta.url));

interface LoadSpec {
  path: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  connections?: number;
  durationMs?: number;
  rate?: number;
  sampleRssPid?: number;
}
interface LoadResult { requests: number; errors: number; rps: number; p50: number; p90: number; p99: number; max: number; mbPerSec: number; peakRssMb: number }

function load(target: RunningTarget, spec: LoadSpec): LoadResult {
  const { path, ...rest } = spec;
  const options = { url: target.url + path, connections: CONNECTIONS, durationMs: DURATION_MS, ...rest };
  return JSON.parse(execFileSync(process.execPath, [loadScript, JSON.stringify(options)], { encoding: 'utf8', maxBuffer: 1 << 20 })) as LoadResult;
}

const jsonBody = JSON.stringify({
  items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item-${i}`, price: i * 1.5, tags: ['a', 'b'] })),
});
const workloads: Record<string, LoadSpec> = {
  hello: { path: '/?name=bench' },
  json: { path: '/json', method: 'POST', body: jsonBody, headers: { 'content-type': 'application/json' } },
  stream: { path: '/stream', connections: 8 },
};

interface TargetDef { name: string; start: () => Promise<RunningTarget>; workloads: string[] }
const targets: TargetDef[] = [
  { name: 'node:http', start: startNodeBaseline, workloads: ['hello', 'json', 'stream'] },
  { name: 'hono/node-server', start: startHonoNode, workloads: ['hello', 'json', 'stream'] },
  ...(hasWorkerd ? [{ name: 'workerd', start: () => startWorkerd(workerEntry), workloads: ['hello', 'json', 'stream'] }] : []),
  { name: 'isle tenant', start: () => startIsle(workerEntry, 'tenant'), workloads: ['hello', 'json', 'stream'] },
  { name: 'isle request', start: () => startIsle(workerEntry, 'request'), workloads: ['hello', 'json', 'stream'] },
].filter((t) => !ONLY || ONLY.includes(t.name));

type Samples = { rps: number[]; p50: number[]; p99: number[]; rss: number[]; errors: number };
const results = new Map<string, Samples>();
function record(key: string, r: LoadResult, rssMb: number): void {
  const e = results.get(key) ?? { rps: [], p50: [], p99: [], rss: [], errors: 0 };
  e.rps.push(r.rps);
  e.p50.push(r.p50);
  e.p99.push(r.p99);
  e.rss.push(rssMb);
  e.errors += r.errors;
  results.set(key, e);
}
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);
const log = (line: string) => process.stderr.write(line + '\n');

// 1. Per-isolate costs, measured before any server runs.
let isolateMetrics: IsolateMetrics | undefined;
if (!SKIP_SPECIAL) {
  isolateMetrics = await measureIsolates({ hello: workerEntry, hono200: honoEntry });
  log(`isolates: ${JSON.stringify(isolateMetrics)}`);
}

// 2. Throughput and latency, interleaved rounds.
const half: { request: LoadResult[]; tenant: LoadResult[] } = { request: [], tenant: [] };
const hono: LoadResult[] = [];
const honoPaced: LoadResult[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  let requestHelloRps = 0;
  for (const t of targets) {
    const target = await t.start();
    try {
      for (const w of t.workloads) {
        load(target, { ...workloads[w]!, durationMs: 500 }); // warm-up
        const r = load(target, workloads[w]!);
        record(`${t.name}|${w}`, r, target.rssMb());
        if (t.name === 'isle request' && w === 'hello') requestHelloRps = r.rps;
        log(`round ${round}: ${t.name} ${w}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${r.errors ? `, ${r.errors} errors` : ''}`);
      }
    } finally {
      await target.stop();
    }
  }
  if (SKIP_SPECIAL || requestHelloRps === 0) continue;
  // Latency at half of request isolation's saturation rate, request vs tenant, same offered load.
  const rate = Math.max(10, Math.round(requestHelloRps / 2));
  for (const isolation of ['request', 'tenant'] as const) {
    const target = await startIsle(workerEntry, isolation);
    try {
      load(target, { ...workloads.hello!, durationMs: 500, rate });
      const r = load(target, { ...workloads.hello!, rate });
      half[isolation].push(r);
      log(`round ${round}: half load (${rate} req/s) ${isolation}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`);
    } finally {
      await target.stop();
    }
  }
  // The ~200 KB hono app, one request at a time (latency end to end).
  const honoTarget = await startIsle(honoEntry, 'request');
  try {
    load(honoTarget, { path: '/api/items/7', connections: 1, durationMs: 500 });
    const r = load(honoTarget, { path: '/api/items/7', connections: 1 });
    hono.push(r);
    log(`round ${round}: hono200 request, back to back: p50 ${r.p50.toFixed(2)} ms, ${r.rps.toFixed(0)} req/s`);
    // Paced (20 req/s over 4 connections): requests arrive with gaps, as on a real server, so the
    // isolates made ahead of demand are there when they do.
    const paced = load(honoTarget, { path: '/api/items/7', connections: 4, rate: 20 });
    honoPaced.push(paced);
    log(`round ${round}: hono200 request, 20 req/s: p50 ${paced.p50.toFixed(2)} ms, p99 ${paced.p99.toFixed(2)} ms`);
  } finally {
    await honoTarget.stop();
  }
}

// 3. Memory: 64 requests in flight (each waits 50 ms), then the leak check.
let memory: { peakRssMb: number; errors: number } | undefined;
let leak: { requests: number; rssMb: number[]; growthMb: number; errors: number } | undefined;
if (!SKIP_SPECIAL && targets.some((t) => t.name === 'isle request')) {
  const target = await startIsle(workerEntry, 'request');
  try {
    const r = load(target, { path: '/slow', connections: 64, sampleRssPid: target.pid });
    memory = { peakRssMb: r.peakRssMb, errors: r.errors };
    log(`memory: 64 in flight: peak RSS ${r.peakRssMb.toFixed(0)} MB`);
    // Leak check: RSS after each tenth of LEAK_REQUESTS hello requests (after the first tenth, the
    // allocator has reached its working set).
    const rssMb: number[] = [];
    let done = 0;
    let errors = 0;
    const perStep = LEAK_REQUESTS / 10;
    const rps = Math.max(50, median(results.get('isle request|hello')?.rps ?? [200]));
    while (done < LEAK_REQUESTS) {
      const step = load(target, { ...workloads.hello!, durationMs: Math.max(1000, (perStep / rps) * 1000) });
      done += step.requests;
      errors += step.errors;
      rssMb.push(target.rssMb());
      log(`leak check: ${done} requests, RSS ${rssMb.at(-1)!.toFixed(0)} MB`);
    }
    leak = { requests: done, rssMb, growthMb: rssMb.at(-1)! - rssMb[0]!, errors };
  } finally {
    await target.stop();
  }
}

// 4. Report.
const rows = [...results].map(([key, e]) => {
  const [target, workload] = key.split('|') as [string, string];
  return { target, workload, rps: median(e.rps), p50Ms: median(e.p50), p99Ms: median(e.p99), rssMb: median(e.rss), errors: e.errors };
});
const row = (target: string, workload: string) => rows.find((r) => r.target === target && r.workload === workload);
const halfRequest = half.request.length ? { p50: median(half.request.map((r) => r.p50)), p99: median(half.request.map((r) => r.p99)) } : undefined;
const halfTenant = half.tenant.length ? { p50: median(half.tenant.map((r) => r.p50)), p99: median(half.tenant.map((r) => r.p99)) } : undefined;
const honoP50 = hono.length ? median(hono.map((r) => r.p50)) : undefined;
const honoPacedP50 = honoPaced.length ? median(honoPaced.map((r) => r.p50)) : undefined;

interface Check { target: string; value: string; met: boolean }
const checks: Check[] = [];
const check = (target: string, ok: boolean | undefined, value: string) => {
  if (ok !== undefined) checks.push({ target, value, met: ok });
};
const reqHello = row('isle request', 'hello');
const wdHello = row('workerd', 'hello');
check('request isolation, hello ≥ 1,000 req/s', reqHello && reqHello.rps >= 1000, `${reqHello?.rps.toFixed(0)} req/s`);
if (wdHello && reqHello) check('request isolation, hello ≥ 7.5% of workerd', reqHello.rps >= 0.075 * wdHello.rps, `${((100 * reqHello.rps) / wdHello.rps).toFixed(1)}%`);
if (halfRequest && halfTenant) {
  check('half load: request p50 ≤ tenant p50 + 1 ms', halfRequest.p50 <= halfTenant.p50 + 1, `${halfRequest.p50.toFixed(2)} vs ${halfTenant.p50.toFixed(2)} ms`);
  check('half load: request p99 ≤ 10 ms', halfRequest.p99 <= 10, `${halfRequest.p99.toFixed(2)} ms`);
}
if (honoPacedP50 !== undefined) check('200 KB hono app, request isolation p50 ≤ 5 ms (20 req/s)', honoPacedP50 <= 5, `${honoPacedP50.toFixed(2)} ms`);
if (honoP50 !== undefined) check('200 KB hono app, request isolation p50 ≤ 5 ms (back to back)', honoP50 <= 5, `${honoP50.toFixed(2)} ms`);
for (const w of ['hello', 'json', 'stream']) {
  const tenant = row('isle tenant', w);
  const wd = row('workerd', w);
  if (tenant && wd) check(`tenant isolation ≥ workerd, ${w}`, tenant.rps >= wd.rps, `${tenant.rps.toFixed(0)} vs ${wd.rps.toFixed(0)} req/s`);
}
if (memory) check('host RSS ≤ 300 MB with 64 in flight', memory.peakRssMb <= 300, `${memory.peakRssMb.toFixed(0)} MB`);
// "No growth": allow allocator noise of 5% of the working set.
if (leak) check(`no growth over ${leak.requests} requests`, leak.growthMb <= Math.max(10, 0.05 * leak.rssMb[0]!), `${leak.growthMb >= 0 ? '+' : ''}${leak.growthMb.toFixed(1)} MB`);

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, Linux`;
const lines: string[] = [];
lines.push(`${machine}; ${CONNECTIONS} connections (stream: 8), ${DURATION_MS / 1000} s × ${ROUNDS} interleaved rounds, medians.`);
lines.push('');
lines.push('| target | workload | req/s | p50 ms | p99 ms | server RSS MB | errors |');
lines.push('|---|---|---:|---:|---:|---:|---:|');
for (const w of ['hello', 'json', 'stream']) {
  for (const r of rows.filter((x) => x.workload === w)) {
    lines.push(`| ${r.target} | ${w} | ${r.rps.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.rssMb.toFixed(0)} | ${r.errors} |`);
  }
}
if (halfRequest && halfTenant) {
  lines.push('');
  lines.push(`Half of request isolation's saturation rate (${Math.round(median(results.get('isle request|hello')!.rps) / 2)} req/s offered): request p50 ${halfRequest.p50.toFixed(2)} ms / p99 ${halfRequest.p99.toFixed(2)} ms; tenant p50 ${halfTenant.p50.toFixed(2)} ms / p99 ${halfTenant.p99.toFixed(2)} ms.`);
}
if (honoP50 !== undefined) lines.push(`200 KB hono + zod app, request isolation: p50 ${honoPacedP50?.toFixed(2)} ms at 20 req/s, ${honoP50.toFixed(2)} ms back to back on one connection.`);
if (memory) lines.push(`64 requests in flight (request isolation): peak host RSS ${memory.peakRssMb.toFixed(0)} MB.`);
if (leak) lines.push(`Leak check: ${leak.requests} requests, RSS ${leak.rssMb.map((x) => x.toFixed(0)).join(' → ')} MB.`);
if (isolateMetrics) {
  const m = isolateMetrics;
  lines.push(`Prelude ${(m.preludeBytes / 1024).toFixed(0)} KB source, snapshot ${(m.snapshotBytes / 1024).toFixed(0)} KB; isolate + context from it p50 ${m.isolateContextP50Ms.toFixed(2)} ms (bare V8: ${m.bareIsolateContextP50Ms.toFixed(2)} ms).`);
  for (const [name, v] of Object.entries(m.versions)) {
    lines.push(`Per-version snapshot ${name}: ${v ? `${(v.bytes / 1024).toFixed(0)} KB, built in ${v.buildMs.toFixed(0)} ms; isolate + context + start p50 ${v.startP50Ms.toFixed(2)} ms` : 'not built'}.`);
  }
}
lines.push('');
lines.push('| target (issue 9) | measured | met |');
lines.push('|---|---:|:---:|');
for (const c of checks) lines.push(`| ${c.target} | ${c.value} | ${c.met ? 'yes' : 'no'} |`);
console.log('\n' + lines.join('\n'));

writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), machine, connections: CONNECTIONS, durationMs: DURATION_MS, rounds: ROUNDS,
  rows, halfLoad: { request: halfRequest, tenant: halfTenant }, hono200P50Ms: { paced20: honoPacedP50, backToBack: honoP50 }, memory, leak, isolates: isolateMetrics, checks,
}, null, 2) + '\n');
