// wpt/expectations.json: for each file (id = path + variant), each subtest's expected status and,
// optionally, why it is not a PASS. A file may be skipped whole with the key "*":
//   { "streams/foo.any.js": { "*": { "status": "SKIP", "reason": "hangs the isolate" } } }
//
// A run fails on a regression (an expected PASS that is now anything else, or missing) and on an
// unexpected pass (an expected non-PASS that now passes). Other changes, new subtests and new files
// are reported without failing; `--update-expectations` records the current run.
import { readFileSync, writeFileSync } from 'node:fs';
import type { FileResult, SubtestStatus } from './types.ts';

export type ExpectedStatus = SubtestStatus | 'SKIP';

export interface Expectation {
  status: ExpectedStatus;
  reason?: string;
}

export type Expectations = Record<string, Record<string, Expectation>>;

export const FILE_KEY = '*';

const STATUSES = new Set(['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED', 'SKIP']);

export function loadExpectations(path: string): Expectations {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  const raw = JSON.parse(text) as Record<string, Record<string, Expectation | string>>;
  const out: Expectations = {};
  for (const [file, subtests] of Object.entries(raw)) {
    out[file] = {};
    for (const [name, e] of Object.entries(subtests)) {
      // A bare status string is accepted as shorthand for { status }.
      const exp = typeof e === 'string' ? { status: e as ExpectedStatus } : e;
      if (!STATUSES.has(exp.status)) throw new Error(`${path}: ${file} › ${name}: unknown status ${exp.status}`);
      out[file]![name] = exp;
    }
  }
  return out;
}

/** Whether the expectations skip a whole file. */
export function isSkipped(expectations: Expectations, id: string): Expectation | undefined {
  const e = expectations[id]?.[FILE_KEY];
  return e && e.status === 'SKIP' ? e : undefined;
}

export interface Change {
  id: string;
  name: string;
  expected: ExpectedStatus | null;
  actual: SubtestStatus | null;
  message: string | null;
}

export interface Comparison {
  regressions: Change[];
  unexpectedPasses: Change[];
  /** Status changes between non-PASS statuses (FAIL → TIMEOUT, …). */
  otherChanges: Change[];
  /** Subtests not in the expectations (their file may be new too). */
  newSubtests: Change[];
  /** Expected non-PASS subtests that did not run at all this time. */
  missing: Change[];
}

export function compare(results: FileResult[], expectations: Expectations): Comparison {
  const c: Comparison = { regressions: [], unexpectedPasses: [], otherChanges: [], newSubtests: [], missing: [] };
  for (const r of results) {
    const expected = expectations[r.id] ?? {};
    const seen = new Set<string>();
    for (const s of r.subtests) {
      seen.add(s.name);
      const e = expected[s.name];
      const change: Change = { id: r.id, name: s.name, expected: e?.status ?? null, actual: s.status, message: s.message };
      if (!e) c.newSubtests.push(change);
      else if (e.status === s.status) continue;
      else if (e.status === 'PASS') c.regressions.push(change);
      else if (s.status === 'PASS') c.unexpectedPasses.push(change);
      else c.otherChanges.push(change);
    }
    for (const [name, e] of Object.entries(expected)) {
      if (name === FILE_KEY || seen.has(name)) continue;
      const why = r.harness.status === 'OK' ? 'subtest no longer defined' : `file ${r.harness.status}: ${r.harness.message ?? ''}`;
      const change: Change = { id: r.id, name, expected: e.status, actual: null, message: why };
      if (e.status === 'PASS') c.regressions.push(change);
      else c.missing.push(change);
    }
  }
  return c;
}

export function isFailure(c: Comparison): boolean {
  return c.regressions.length > 0 || c.unexpectedPasses.length > 0;
}

/**
 * The expectations after this run: files that ran are rewritten from their results (reasons kept
 * for subtests still not passing); files that did not run, and skipped files, stay as they were.
 */
export function updateExpectations(previous: Expectations, results: FileResult[]): Expectations {
  const next: Expectations = {};
  for (const [file, subtests] of Object.entries(previous)) next[file] = subtests;
  for (const r of results) {
    const old = previous[r.id] ?? {};
    const entry: Record<string, Expectation> = {};
    for (const s of r.subtests) {
      const e: Expectation = { status: s.status };
      const reason = old[s.name]?.reason;
      if (reason !== undefined && s.status !== 'PASS') e.reason = reason;
      entry[s.name] = e;
    }
    next[r.id] = entry;
  }
  const sorted: Expectations = {};
  for (const file of Object.keys(next).sort()) sorted[file] = next[file]!;
  return sorted;
}

export function saveExpectations(path: string, expectations: Expectations): void {
  // One subtest per line keeps diffs readable for files with thousands of subtests.
  const files = Object.keys(expectations);
  const lines: string[] = ['{'];
  files.forEach((file, fi) => {
    const subtests = Object.entries(expectations[file]!);
    if (subtests.length === 0) {
      lines.push(`  ${JSON.stringify(file)}: {}${fi < files.length - 1 ? ',' : ''}`);
      return;
    }
    lines.push(`  ${JSON.stringify(file)}: {`);
    subtests.forEach(([name, e], si) => {
      lines.push(`    ${JSON.stringify(name)}: ${JSON.stringify(e)}${si < subtests.length - 1 ? ',' : ''}`);
    });
    lines.push(`  }${fi < files.length - 1 ? ',' : ''}`);
  });
  lines.push('}');
  writeFileSync(path, lines.join('\n') + '\n');
}
