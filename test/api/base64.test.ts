// atob/btoa and forgiving-base64, driven by WPT's fetch/data-urls/resources/base64.json.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

const vectorsPath = new URL('../../../shared/wpt-data/fetch/data-urls/resources/base64.json', import.meta.url);
const vectors = (JSON.parse(readFileSync(vectorsPath, 'utf8')) as unknown[])
  .filter((v): v is [string, number[] | null] => Array.isArray(v));

describe('atob / btoa (forgiving-base64)', () => {
  it('decodes every WPT base64.json vector like the spec (atob)', async () => {
    const results = await evalInIsolate<(number[] | null | string)[]>(`
      const vectors = ${JSON.stringify(vectors)};
      const out = [];
      for (let i = 0; i < vectors.length; i++) {
        try {
          const s = atob(vectors[i][0]);
          const bytes = [];
          for (let j = 0; j < s.length; j++) bytes.push(s.charCodeAt(j));
          out.push(bytes);
        } catch (e) {
          out.push(e instanceof DOMException && e.name === 'InvalidCharacterError' && e.code === 5 ? null : 'wrong error ' + e);
        }
      }
      return out;
    `);
    expect(results.length).toBe(vectors.length);
    for (let i = 0; i < vectors.length; i++) {
      expect([vectors[i]![0], results[i]]).toEqual([vectors[i]![0], vectors[i]![1]]);
    }
  });

  it('btoa encodes Latin-1, round-trips, and rejects code units above U+00FF', async () => {
    const r = await evalInIsolate(`
      let all = ''; for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
      const err = (f) => { try { f(); return 'no error'; } catch (e) { return (e instanceof DOMException ? 'DOMException' : e instanceof TypeError ? 'TypeError' : 'other') + ':' + e.name; } };
      return {
        hello: btoa('hello'), empty: btoa(''), one: btoa('a'), two: btoa('ab'),
        roundTrip: atob(btoa(all)) === all,
        latin: btoa('\\u00ff\\u00fe'),
        wide: err(() => btoa('\\u0100')), emoji: err(() => btoa('\\ud83d\\ude00')),
        noArgAtob: err(() => atob()), noArgBtoa: err(() => btoa()),
        coerced: btoa(null) + ',' + btoa(undefined) + ',' + atob(undefined === undefined ? 'dW5kZWZpbmVk' : ''),
        symbol: err(() => btoa(Symbol())),
        lengths: [atob.length, btoa.length, atob.name, btoa.name],
        desc: (() => { const d = Object.getOwnPropertyDescriptor(globalThis, 'atob'); return [d.writable, d.enumerable, d.configurable]; })(),
        notConstructor: err(() => new atob('')),
        whitespace: atob(' a G V s\\nb G 8 = '),
      };
    `);
    expect(r).toEqual({
      hello: 'aGVsbG8=', empty: '', one: 'YQ==', two: 'YWI=', roundTrip: true, latin: '//4=',
      wide: 'DOMException:InvalidCharacterError', emoji: 'DOMException:InvalidCharacterError',
      noArgAtob: 'TypeError:TypeError', noArgBtoa: 'TypeError:TypeError',
      coerced: 'bnVsbA==,dW5kZWZpbmVk,undefined', symbol: 'TypeError:TypeError',
      lengths: [1, 1, 'atob', 'btoa'], desc: [true, true, true], notConstructor: 'TypeError:TypeError',
      whitespace: 'hello',
    });
  });
});
