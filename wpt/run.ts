// `npm run wpt -- [options] [filter…]`: runs WPT `*.any.js` files, each in a fresh Isle isolate,
// compares the results with wpt/expectations.json and writes wpt/report.md. See wpt/README.md.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { discover } from './lib/discover.ts';
import { compare, isFailure, isSkipped, loadExpectations, saveExpectations, updateExpectations } from './lib/expectations.ts';
import { runPool } from './lib/pool.ts';
import { formatSummary, renderReport, summarize, writeBaseline } from './lib/report.ts';
import { DEFAULT_RUN_OPTIONS, type FileResult } from './lib/types.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

const USAGE = `usage: npm run wpt -- [options] [filter…]

Runs the *.any.js files of a WPT checkout in Isle isolates. Filters are paths relative to the WPT
root (directories, files, file-name prefixes, or a file with its ?variant); default: the tracked
directories (url, encoding, streams, fetch/api, …).

  --wpt-dir DIR            WPT checkout (default: $WPT_DIR, else wpt/.cache)
  --expectations FILE      expectations file (default: wpt/expectations.json)
  --update-expectations    rewrite the expectations (and baseline.json beside them) from this run
  --report FILE            Markdown report (default: wpt/report.md)
  --json FILE              also write every result as JSON
  --jobs N                 files run at once (default 2)
  --timeout MS             wall budget per file (default 10000); --long-timeout MS for timeout=long (60000)
  --memory MB              isolate heap limit (default 256)
  --list                   list the files that would run, and stop
  --verbose                print every non-passing subtest
`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        'wpt-dir': { type: 'string' },
        expectations: { type: 'string' },
        'update-expectations': { type: 'boolean', default: false },
        report: { type: 'string' },
        json: { type: 'string' },
        jobs: { type: 'string' },
        timeout: { type: 'string' },
        'long-timeout': { type: 'string' },
        memory: { type: 'string' },
        list: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const wptDir = resolve(v['wpt-dir'] ?? process.env.WPT_DIR ?? resolve(HERE, '.cache'));
  if (!existsSync(wptDir)) {
    process.stderr.write(`WPT directory ${wptDir} does not exist (see wpt/fetch-cache.md)\n`);
    return 2;
  }
  const num = (s: string | undefined, d: number) => {
    if (s === undefined) return d;
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${s}`);
    return n;
  };
  const expectationsPath = resolve(v.expectations ?? resolve(HERE, 'expectations.json'));
  const reportPath = resolve(v.report ?? resolve(HERE, 'report.md'));
  const expectations = loadExpectations(expectationsPath);

  const { jobs: all, skipped } = discover(wptDir, args.positionals);
  const jobs = all.filter((j) => {
    const skip = isSkipped(expectations, j.id);
    if (skip) skipped.push({ path: j.id, reason: `SKIP in expectations${skip.reason ? `: ${skip.reason}` : ''}` });
    return !skip;
  });
  if (v.list) {
    for (const j of jobs) process.stdout.write(`${j.id}\n`);
    for (const s of skipped) process.stdout.write(`# not run: ${s.path} (${s.reason})\n`);
    return 0;
  }
  if (jobs.length === 0) {
    process.stderr.write(`no *.any.js files to run under ${wptDir}${args.positionals.length ? ` for ${args.positionals.join(' ')}` : ''}\n`);
    return 2;
  }

  const started = performance.now();
  process.stdout.write(`wpt: ${jobs.length} file(s) from ${wptDir}\n`);
  const results: FileResult[] = await runPool(jobs, {
    wptDir,
    timeoutMs: num(v.timeout, DEFAULT_RUN_OPTIONS.timeoutMs),
    longTimeoutMs: num(v['long-timeout'], DEFAULT_RUN_OPTIONS.longTimeoutMs),
    memoryMb: num(v.memory, DEFAULT_RUN_OPTIONS.memoryMb),
    concurrency: num(v.jobs, 2),
    onResult(r, done, total) {
      const passed = r.subtests.filter((s) => s.status === 'PASS').length;
      const h = r.harness.status === 'OK' ? '' : ` [${r.harness.status}${r.harness.message ? `: ${r.harness.message.slice(0, 160)}` : ''}]`;
      process.stdout.write(`[${done}/${total}] ${`${passed}/${r.subtests.length}`.padStart(9)} ${r.id} (${(r.durationMs / 1000).toFixed(1)}s)${h}\n`);
      if (v.verbose) {
        for (const s of r.subtests) {
          if (s.status !== 'PASS') process.stdout.write(`      ${s.status} ${s.name}${s.message ? ` — ${s.message.slice(0, 300)}` : ''}\n`);
        }
      }
    },
  });
  const durationMs = performance.now() - started;

  const comparison = compare(results, expectations);
  const summary = summarize(results);
  writeFileSync(reportPath, renderReport({ results, summary, comparison, skipped, wptDir, durationMs }));
  if (v.json) writeFileSync(resolve(v.json), JSON.stringify(results, null, 1) + '\n');

  process.stdout.write(`\n${formatSummary(summary)}\n\n`);
  const show = (title: string, list: typeof comparison.regressions) => {
    if (list.length === 0) return;
    process.stdout.write(`${title} (${list.length}):\n`);
    for (const c of list.slice(0, 50)) {
      process.stdout.write(`  ${c.id} › ${c.name}: expected ${c.expected ?? '-'}, got ${c.actual ?? 'missing'}${c.message ? ` — ${c.message.slice(0, 200)}` : ''}\n`);
    }
    if (list.length > 50) process.stdout.write(`  … ${list.length - 50} more (see ${reportPath})\n`);
  };
  if (v['update-expectations']) {
    const next = updateExpectations(expectations, results);
    saveExpectations(expectationsPath, next);
    writeBaseline(join(dirname(expectationsPath), 'baseline.json'), summary, results);
    process.stdout.write(`expectations updated: ${expectationsPath}\n`);
  } else {
    show('REGRESSIONS', comparison.regressions);
    show('UNEXPECTED PASSES', comparison.unexpectedPasses);
    if (comparison.otherChanges.length) process.stdout.write(`${comparison.otherChanges.length} other status change(s) (see report)\n`);
    if (comparison.newSubtests.length) {
      process.stdout.write(`${comparison.newSubtests.length} subtest(s) not in the expectations; record them with --update-expectations\n`);
    }
  }
  process.stdout.write(`report: ${reportPath}\n`);
  const failed = !v['update-expectations'] && isFailure(comparison);
  process.stdout.write(`wpt: ${summary.overall.passed}/${summary.overall.total} subtests pass in ${results.length} file(s); ` +
    `${comparison.regressions.length} regression(s), ${comparison.unexpectedPasses.length} unexpected pass(es)\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`wpt: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 2;
  },
);
