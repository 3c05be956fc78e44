// fetch() of data: URLs (Fetch "data: URL processor"), data-driven over WPT's data-urls.json.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

type Vector = [input: string, mime: string | null, body?: number[]];

const vectors = (JSON.parse(readFileSync('/work/shared/wpt-data/fetch/data-urls/resources/data-urls.json', 'utf8')) as unknown[])
  .filter((v): v is Vector => Array.isArray(v));

// The shared copy is WPT's 2017 revision of data-urls.json, written before the Fetch Standard
// parsed and serialized data: MIME types (mimesniff) and percent-encoded the MIME part. For the
// vectors whose expectation changed since, the current expectation (WPT today, the standard's
// algorithm) is used instead. Everything else is checked against the file as is.
const CURRENT: Record<string, [string | null, number[]?]> = {
  'data:text/plain%20,X': ['text/plain%20', [88]],
  'data:text/plain\f,X': ['text/plain%0c', [88]],
  'data:text/plain%0C,X': ['text/plain%0c', [88]],
  'data:text/plain;,X': ['text/plain', [88]],
  'data:;x=x;charset=x,X': ['text/plain;x=x;charset=x', [88]],
  'data:;x=x,X': ['text/plain;x=x', [88]],
  'data:text/plain;Charset=UTF-8,%C2%B1': ['text/plain;charset=UTF-8', [194, 177]],
  'data:IMAGE/gif,%C2%B1': ['image/gif', [194, 177]],
  'data:IMAGE/gif;hi=x,%C2%B1': ['image/gif;hi=x', [194, 177]],
  'data:IMAGE/gif;CHARSET=x,%C2%B1': ['image/gif;charset=x', [194, 177]],
  'data:†/†,X': ['%e2%80%a0/%e2%80%a0', [88]],
  'data:text/plain;a=",",X': ['text/plain;a=""', [34, 44, 88]],
  'data:text/plain;a=%2C,X': ['text/plain;a=%2C', [88]],
  'data:;base64;base64,WA': ['text/plain', [88]],
  'data:x/x;base64;base64x,WA': ['x/x', [87, 65]],
  'data:x;base64;x,WA': ['', [87, 65]],
  'data:; base64,WA': ['', [88]], // "; base64": spaces before base64 are allowed now
  'data:;base 64,WA': ['text/plain', [87, 65]],
  'data:;%62ase64,WA': ['text/plain', [87, 65]],
  'data:%3Bbase64,WA': ['', [87, 65]],
  'data:;charset="x",X': ['text/plain;charset=x', [88]],
  'data:;CHARSET="X",X': ['text/plain;charset=X', [88]],
};

// Further vectors from the current standard (beyond the 2017 file).
const EXTRA: Vector[] = [
  ['data:x/x;base64;charset=x,WA', 'x/x;charset=x', [87, 65]],
  ['data:;base64;,WA', 'text/plain', [87, 65]],
  ['data:;charset =x,X', 'text/plain', [88]],
  ['data:;charset= x,X', 'text/plain;charset=" x"', [88]],
  ['data:;charset=,X', 'text/plain', [88]],
  ['data:;charset,X', 'text/plain', [88]],
  ['data:; charset=x,X', 'text/plain;charset=x', [88]],
  ['data:;  base64,WA', '', [88]],
  ['data:  ;charset=x   ;  base64,WA', 'text/plain;charset=x', [88]],
  ['data:;base64   ,WA', '', [88]],
  ['data:text/javascript,X X', 'text/javascript', [88, 32, 88]],
  ['data:;base64,WQ', '', [89]],
  ['data:;base64,W', null],
  ['data:;base64,WQ===', null],
  ['data:;base64,SGVsbG8sIFdvcmxkIQ==', '', [72, 101, 108, 108, 111, 44, 32, 87, 111, 114, 108, 100, 33]],
  ['data:text/plain', null],
  ['data:application/json,{"a":1}#frag', 'application/json', [123, 34, 97, 34, 58, 49, 125]],
];

describe('fetch(data: URL)', () => {
  const all: Vector[] = [
    ...vectors.map(([input, mime, body]): Vector => (input in CURRENT ? [input, CURRENT[input]![0], CURRENT[input]![1]] : [input, mime, body])),
    ...EXTRA,
  ];

  it(`processes ${all.length} vectors as the Fetch Standard does`, async () => {
    const results = await evalInIsolate<({ ok: true; type: string | null; body: number[]; status: number; statusText: string; url: string } | { ok: false; error: string })[]>(`
      const inputs = ${JSON.stringify(all.map((v) => v[0]))};
      const out = [];
      for (const input of inputs) {
        try {
          const r = await fetch(input);
          out.push({ ok: true, type: r.headers.get('content-type'), body: Array.from(new Uint8Array(await r.arrayBuffer())),
            status: r.status, statusText: r.statusText, url: r.url });
        } catch (e) {
          out.push({ ok: false, error: e.constructor.name });
        }
      }
      return out;
    `);
    const mismatches: string[] = [];
    all.forEach(([input, mime, body], i) => {
      const r = results[i]!;
      if (mime === null) {
        if (r.ok || r.error !== 'TypeError') mismatches.push(`${JSON.stringify(input)}: expected TypeError, got ${JSON.stringify(r)}`);
        return;
      }
      const expected = { ok: true, type: mime === '' ? 'text/plain;charset=US-ASCII' : mime, body };
      if (!r.ok || r.type !== expected.type || JSON.stringify(r.body) !== JSON.stringify(body)) {
        mismatches.push(`${JSON.stringify(input)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(r)}`);
      } else if (r.status !== 200 || r.statusText !== 'OK') {
        mismatches.push(`${JSON.stringify(input)}: status ${r.status} ${r.statusText}`);
      }
    });
    expect(mismatches).toEqual([]);
    expect(all.length).toBeGreaterThan(60);
  });

  it('gives a readable body stream, the URL without fragment, and works for any method', async () => {
    const r = await evalInIsolate(`
      const a = await fetch('data:text/plain,hello%20world#x');
      const reader = a.body.getReader();
      const first = await reader.read();
      const post = await fetch('data:,posted', { method: 'POST', body: 'ignored' });
      const aborted = new AbortController();
      aborted.abort();
      let abortedName;
      try { await fetch('data:,x', { signal: aborted.signal }); } catch (e) { abortedName = e.name; }
      return { url: a.url, chunk: new TextDecoder().decode(first.value), type: a.type, redirected: a.redirected,
        post: await post.text(), abortedName };
    `);
    expect(r).toEqual({ url: 'data:text/plain,hello%20world', chunk: 'hello world', type: 'basic', redirected: false, post: 'posted', abortedName: 'AbortError' });
  });
});
