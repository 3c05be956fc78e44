// URL setters (setters_tests.json), host to-ASCII (toascii.json, the way WPT's toascii.window.js
// drives it) and the urlencoded parser (urlencoded-parser-data.json), each file in one isolate.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

const DATA = '/work/shared/wpt-data/url/resources/';
const load = (name: string): any => JSON.parse(readFileSync(DATA + name, 'utf8'));

/**
 * hash-setter cases where the shared data expects trailing spaces dropped from an opaque path,
 * which contradicts the current URL Standard (whatwg/url#844: a space right before "?"/"#" is
 * parsed as %20) and this same file's search-setter cases. Expected values here are the spec's,
 * computed with Node's URL (ada), which implements that rule.
 */
function specOverride(attr: string, t: { href: string; new_value: string; expected: Record<string, string> }) {
  if (attr !== 'hash' || !/^(data|sc):space +(\?query)?#fragment$/.test(t.href)) return t.expected;
  const u = new URL(t.href);
  u.hash = t.new_value;
  const expected: Record<string, string> = {};
  for (const k of Object.keys(t.expected)) expected[k] = (u as unknown as Record<string, string>)[k]!;
  return expected;
}

describe('URL setters (WPT setters_tests.json)', () => {
  it('every setter case', async () => {
    const data = load('setters_tests.json');
    const cases: unknown[] = [];
    let overridden = 0;
    for (const attr of Object.keys(data)) {
      if (attr === 'comment') continue;
      for (const t of data[attr]) {
        const expected = specOverride(attr, t);
        if (expected !== t.expected) overridden++;
        cases.push({ attr, href: t.href, value: t.new_value, expected });
      }
    }
    expect(overridden).toBe(4);
    const r = await evalInIsolate<{ count: number; fails: string[] }>(`
      const cases = ${JSON.stringify(cases)};
      const fails = [];
      for (const t of cases) {
        const url = new URL(t.href);
        url[t.attr] = t.value;
        for (const k in t.expected) {
          if (url[k] !== t.expected[k]) fails.push(t.href + ' .' + t.attr + ' = ' + JSON.stringify(t.value) + ': ' + k + ' ' + JSON.stringify(url[k]) + ' != ' + JSON.stringify(t.expected[k]));
        }
      }
      return { count: cases.length, fails };
    `);
    expect(r.count).toBeGreaterThan(250);
    expect(r.fails).toEqual([]);
  });
});

describe('host to ASCII (WPT toascii.json)', () => {
  it('through new URL(), url.host and url.hostname', async () => {
    const cases = load('toascii.json').filter((t: unknown) => typeof t === 'object');
    const r = await evalInIsolate<{ passed: number; fails: string[] }>(`
      const cases = ${JSON.stringify(cases)};
      const fails = [];
      let passed = 0;
      for (const t of cases) {
        const output = t.output === undefined ? t.input : t.output;
        const before = fails.length;
        const input = 'https://' + t.input + '/x';
        if (output !== null) {
          let url;
          try { url = new URL(input); } catch (e) { fails.push(t.input + ': threw ' + e); continue; }
          if (url.host !== output || url.hostname !== output || url.pathname !== '/x' || url.href !== 'https://' + output + '/x') {
            fails.push(t.input + ': URL gives ' + url.href + ', want ' + output);
          }
        } else {
          let threw = false;
          try { new URL(input); } catch (e) { threw = e instanceof TypeError; }
          if (!threw) fails.push(t.input + ': expected TypeError');
        }
        for (const attr of ['host', 'hostname']) {
          const url = new URL('https://x/x');
          url[attr] = t.input;
          const want = output === null ? 'x' : output;
          if (url[attr] !== want) fails.push(t.input + ' via .' + attr + ': ' + url[attr] + ' != ' + want);
        }
        if (fails.length === before) passed++;
      }
      return { passed, fails };
    `);
    expect(r.fails).toEqual([]);
    expect(r.passed).toBe(cases.length);
  });
});

describe('application/x-www-form-urlencoded parser (WPT urlencoded-parser-data.json)', () => {
  it('through new URLSearchParams(input)', async () => {
    const cases = load('urlencoded-parser-data.json');
    const r = await evalInIsolate<string[]>(`
      const cases = ${JSON.stringify(cases)};
      const fails = [];
      for (const t of cases) {
        const got = [...new URLSearchParams(t.input)];
        if (JSON.stringify(got) !== JSON.stringify(t.output)) fails.push(JSON.stringify(t.input) + ': ' + JSON.stringify(got));
      }
      return fails;
    `);
    expect(r).toEqual([]);
  });
});
