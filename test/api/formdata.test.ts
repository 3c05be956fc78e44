import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('FormData', () => {
  it('has the WebIDL shape and rejects form arguments', async () => {
    const r = await evalInIsolate(`
      const fd = new FormData(undefined, null);
      const it = fd.entries();
      return {
        len: FormData.length, tag: Object.prototype.toString.call(fd), itTag: Object.prototype.toString.call(it),
        appendLen: FormData.prototype.append.length, setLen: FormData.prototype.set.length,
        deleteLen: FormData.prototype.delete.length, hasLen: FormData.prototype.has.length,
        iterIsEntries: FormData.prototype[Symbol.iterator] === FormData.prototype.entries,
        errors: [() => new FormData({}), () => new FormData(null), () => new FormData(undefined, {}), () => FormData(),
          () => fd.append('a'), () => fd.get(), () => fd.append('a', 'b', 'c'), () => fd.set('a', {}, 'x')]
          .map((f) => { try { f(); return 'no'; } catch (e) { return e.constructor.name; } }),
      };
    `);
    expect(r).toEqual({
      len: 0, tag: '[object FormData]', itTag: '[object FormData Iterator]', appendLen: 2, setLen: 2, deleteLen: 1, hasLen: 1,
      iterIsEntries: true, errors: Array(8).fill('TypeError'),
    });
  });

  it('appends, sets, gets, deletes; converts Blobs to Files', async () => {
    const r = await evalInIsolate(`
      const fd = new FormData();
      fd.append('a', '1');
      fd.append('b', 2);
      fd.append('a', '3');
      fd.append('\\uD800x', 'y\\uDC00');
      const out = { get: fd.get('a'), getAll: fd.getAll('a'), has: [fd.has('a'), fd.has('z')], missing: fd.get('z'), lone: [...fd.keys()][3] + '|' + [...fd.values()][3] };
      fd.set('a', 'new');
      out.afterSet = [...fd];
      fd.delete('b');
      out.afterDelete = [...fd.keys()];
      fd.set('blob', new Blob(['x'], { type: 'text/plain' }));
      const b = fd.get('blob');
      out.blob = [b instanceof File, b.name, b.type, b === fd.get('blob'), Math.abs(b.lastModified - Date.now()) < 1000];
      fd.set('named', new Blob([]), 'custom name');
      out.named = fd.get('named').name;
      const file = new File(['z'], 'orig.txt', { lastModified: 123 });
      fd.append('file', file);
      fd.append('renamed', file, 'new.txt');
      out.file = [fd.get('file') === file, fd.get('renamed').name, fd.get('renamed').lastModified, await fd.get('renamed').text()];
      fd.append('undef', new Blob(['q']), undefined);
      out.undefName = fd.get('undef').name;
      const seen = [];
      fd.forEach(function (v, k, o) { seen.push(k); }, null);
      out.forEach = seen;
      return out;
    `);
    expect(r).toEqual({
      get: '1', getAll: ['1', '3'], has: [true, false], missing: null, lone: '\uFFFDx|y\uFFFD',
      afterSet: [['a', 'new'], ['b', '2'], ['\uFFFDx', 'y\uFFFD']], afterDelete: ['a', '\uFFFDx'],
      blob: [true, 'blob', 'text/plain', true, true], named: 'custom name', file: [true, 'new.txt', 123, 'z'],
      undefName: 'blob', forEach: ['a', '\uFFFDx', 'blob', 'named', 'file', 'renamed', 'undef'],
    });
  });

  it('observes changes during iteration', async () => {
    const r = await evalInIsolate(`
      const make = (pairs) => { const f = new FormData(); for (const [k, v] of pairs) f.append(k, v); return f; };
      const f1 = make([['foo', '0'], ['baz', '1'], ['BAR', '2']]);
      const k1 = []; for (const [k] of f1) { k1.push(k); f1.delete('baz'); }
      const f2 = make([['foo', '0'], ['baz', '1'], ['BAR', '2'], ['quux', '3']]);
      const k2 = []; for (const [k] of f2) { k2.push(k); if (k === 'baz') f2.delete('foo'); }
      const f3 = make([['foo', '0'], ['baz', '1']]);
      const k3 = []; for (const [k] of f3) { k3.push(k); if (k === 'baz') f3.append('X-yZ', '4'); }
      return [k1, k2, k3];
    `);
    expect(r).toEqual([['foo', 'BAR'], ['foo', 'baz', 'quux'], ['foo', 'baz', 'X-yZ']]);
  });

  it('serializes to multipart/form-data exactly (boundary, escaping, newline normalization, snapshot)', async () => {
    const r = await evalInIsolate<Record<string, unknown>>(`
      const iso = async (res) => String.fromCharCode(...new Uint8Array(await res.arrayBuffer()));
      const boundaryOf = (res) => res.headers.get('content-type').slice('multipart/form-data; boundary='.length);
      const fd = new FormData();
      fd.append('a\\nb', 'c\\nd\\re\\r\\nf');
      fd.append('q"x', new File(['contents'], 'f"\\r\\n.txt', { type: 'text/plain' }));
      fd.append('blob', new Blob(['B']));
      fd.append('é', 'ç');
      const res = new Response(fd);
      fd.append('late', 'not included');
      const boundary = boundaryOf(res);
      const body = await iso(res);
      const expected = [
        '--' + boundary, 'Content-Disposition: form-data; name="a%0D%0Ab"', '', 'c\\r\\nd\\r\\ne\\r\\nf',
        '--' + boundary, 'Content-Disposition: form-data; name="q%22x"; filename="f%22%0D%0A.txt"', 'Content-Type: text/plain', '', 'contents',
        '--' + boundary, 'Content-Disposition: form-data; name="blob"; filename="blob"', 'Content-Type: application/octet-stream', '', 'B',
        '--' + boundary, 'Content-Disposition: form-data; name="\\xC3\\xA9"', '', '\\xC3\\xA7',
        '--' + boundary + '--', '',
      ].join('\\r\\n');
      const empty = new Response(new FormData());
      return {
        match: body === expected, body, expected,
        wellFormed: /^[0-9A-Za-z-]{27,70}$/.test(boundary),
        unique: boundaryOf(new Response(fd)) !== boundaryOf(new Response(fd)),
        empty: await iso(empty) === '--' + boundaryOf(empty) + '--\\r\\n',
      };
    `);
    expect(r.body).toBe(r.expected);
    expect(r).toMatchObject({ match: true, wellFormed: true, unique: true, empty: true });
  });

  it('round-trips FormData through Response and Request, including files with odd names', async () => {
    const r = await evalInIsolate(`
      const fd = new FormData();
      fd.append('a', '1');
      fd.append('a', '2');
      fd.append('file', new File([new Uint8Array([0, 0x80, 0xff, 13, 10, 45, 45])], "we'ird\\\\ 中文 .bin", { type: 'application/x-thing' }));
      fd.append('blob', new Blob(['more'], { type: 'text/html' }));
      fd.append('empty', new File([], 'empty.txt'));
      fd.append('multi\\nline', 'v\\nw');
      fd.append('quote"name', 'q');
      const parsed = await new Response(fd).formData();
      const out = { keys: [...parsed.keys()], a: parsed.getAll('a') };
      const f = parsed.get('file');
      out.file = [f instanceof File, f.name, f.type, [...new Uint8Array(await f.arrayBuffer())]];
      const b = parsed.get('blob');
      out.blob = [b.name, b.type, await b.text()];
      const e = parsed.get('empty');
      out.empty = [e.name, e.type, e.size];
      out.multi = parsed.get('multi%0D%0Aline');
      const viaRequest = await new Request('https://x/', { method: 'POST', body: fd }).formData();
      out.viaRequest = [...viaRequest.keys()].length;
      return out;
    `);
    expect(r).toEqual({
      keys: ['a', 'a', 'file', 'blob', 'empty', 'multi%0D%0Aline', 'quote%22name'], a: ['1', '2'],
      file: [true, "we'ird\\ 中文 .bin", 'application/x-thing', [0, 0x80, 0xff, 13, 10, 45, 45]],
      blob: ['blob', 'text/html', 'more'], empty: ['empty.txt', 'application/octet-stream', 0], multi: 'v\r\nw', viaRequest: 7,
    });
  });

  it('parses multipart edge cases like the WPT parser cases', async () => {
    const r = await evalInIsolate(`
      const parse = (body, ct = 'multipart/form-data; boundary=boundary') => new Response(body, { headers: [['Content-Type', ct]] }).formData();
      const P = (...lines) => lines.join('\\r\\n');
      const desc = async (fd) => { const out = []; for (const [k, v] of fd) out.push(typeof v === 'string' ? [k, v] : [k, v.name, v.type, await v.text()]); return out; };
      const ok = {
        noCT: P('--boundary', 'Content-Disposition: form-data; name="file"; filename="hello.txt"', '', 'file contents', '--boundary--', ''),
        ctFirst: P('--boundary', 'Content-Type: image/png', 'Content-Disposition: form-data; name="file"; filename="image.png"', '', 'PNG', '--boundary--', ''),
        percent: P('--boundary', 'Content-Disposition: form-data; name="a%0Ab%22"', '', 'value', '--boundary--', ''),
        emptyString: P('--boundary', 'Content-Disposition: form-data; name="a"', '', '', '--boundary--', ''),
        emptyFile: P('--boundary', 'Content-Disposition: form-data; name="a"; filename="e.txt"', '', '', '--boundary--', ''),
        notBoundary: P('--boundary', 'Content-Disposition: form-data; name="a"', '', 'x--boundary', '--boundary--', ''),
        crlfValue: P('--boundary', 'Content-Disposition: form-data; name="a"', '', 'line1', 'line2', '--boundary--', ''),
        padding: P('--boundary \\t', 'Content-Disposition: form-data; name="a"', '', 'value', '--boundary-- \\t', ''),
        paddingEnd: P('--boundary', 'Content-Disposition: form-data; name="a"', '', 'value', '--boundary--  '),
        epilogue: P('--boundary', 'Content-Disposition: form-data; name="a"', '', 'value', '--boundary--', 'epilogue', 'more'),
        caseAndSpace: P('--boundary', ' CONTENT-DISPOSITION \\t: form-data; name="a"; filename="f"', 'CoNtEnT-TyPe: TEXT/HTML', 'X-Custom: ignored', '', 'v', '--boundary--', ''),
        lastCT: P('--boundary', 'Content-Disposition: form-data; name="a"; filename="f"', 'Content-Type: text/html', 'Content-Type: text/plain', '', 'v', '--boundary--', ''),
        badCT: P('--boundary', 'Content-Disposition: form-data; name="a"; filename="f"', 'Content-Type: text', '', 'v', '--boundary--', ''),
        serializedCT: P('--boundary', 'Content-Disposition: form-data; name="a"; filename="f"', 'Content-Type: text/html;;x="y"', '', 'v', '--boundary--', ''),
        emptyCT: P('--boundary', 'Content-Disposition: form-data; name="a"; filename="f"', 'Content-Type:', '', 'v', '--boundary--', ''),
        nonAscii: P('--boundary', 'Content-Disposition: form-data; name="é"; filename="中文.txt"', '', '😀', '--boundary--', ''),
        control: P('--boundary', 'Content-Disposition: form-data; name="a\\u0001b"', '', 'v', '--boundary--', ''),
        onlyClose: P('--boundary--', ''),
      };
      const okOut = {};
      for (const [k, v] of Object.entries(ok)) okOut[k] = await parse(v).then(desc, (e) => 'ERR ' + e.constructor.name);
      okOut.quoted = await parse(P('--a.b(c)', 'Content-Disposition: form-data; name="a"', '', 'value', '--a.b(c)--', ''), 'multipart/form-data; boundary="a.b(c)"').then(desc, (e) => 'ERR');
      okOut.nonAsciiBoundary = await parse(P('--bé', 'Content-Disposition: form-data; name="a"', '', 'value', '--bé--', ''), 'multipart/form-data; boundary="bé"').then(desc, (e) => 'ERR');
      const enc = (s) => [...new TextEncoder().encode(s)];
      okOut.invalidUtf8 = await parse(new Uint8Array([...enc('--boundary\\r\\nContent-Disposition: form-data; name="a'), 0xff, ...enc('"\\r\\n\\r\\nb'), 0xff, ...enc('\\r\\n--boundary--\\r\\n')])).then(desc);
      const bad = {
        preamble: P('preamble', '--boundary', 'Content-Disposition: form-data; name="a"', '', 'v', '--boundary--', ''),
        junk: P('--boundary', 'Content-Disposition: form-data; name="a"', '', 'v', '--boundary--junk', ''),
        noHeaders: P('--boundary', '', 'v', '--boundary--', ''),
        noDisposition: P('--boundary', 'Content-Type: text/plain', '', 'v', '--boundary--', ''),
        noColon: P('--boundary', 'Content-Disposition form-data; name="a"', '', 'v', '--boundary--', ''),
        badName: P('--boundary', 'Content-Disposition: form-data; name="a"', 'Cont ent-Type: x', '', 'v', '--boundary--', ''),
        fold: P('--boundary', 'Content-Disposition: form-data;', ' name="a"', '', 'v', '--boundary--', ''),
        nul: P('--boundary', 'Content-Disposition: form-data; name="a\\u0000b"', '', 'v', '--boundary--', ''),
        nulOther: P('--boundary', 'Content-Disposition: form-data; name="a"', 'X: a\\u0000b', '', 'v', '--boundary--', ''),
        noClose: P('--boundary', 'Content-Disposition: form-data; name="a"', '', 'v'),
        noCRLF: P('--boundary', 'Content-Disposition: form-data; name="a"', '', 'v--boundary--', ''),
        bareLF: P('--boundary', 'Content-Disposition: form-data; name="a\\nb"', '', 'v', '--boundary--', ''),
        bareCR: P('--boundary', 'Content-Disposition: form-data; name="a\\rb"', '', 'v', '--boundary--', ''),
        nothing: P('--boundary'),
      };
      const badOut = {};
      for (const [k, v] of Object.entries(bad)) badOut[k] = await parse(v).then(() => 'parsed', (e) => e.constructor.name);
      badOut.emptyBoundary = await parse(P('--', 'Content-Disposition: form-data; name="a"', '', 'v', '----', ''), 'multipart/form-data; boundary=""').then(() => 'parsed', (e) => e.constructor.name);
      return { okOut, badOut };
    `) as { okOut: Record<string, unknown>; badOut: Record<string, string> };
    expect(r.okOut).toEqual({
      noCT: [['file', 'hello.txt', 'text/plain', 'file contents']],
      ctFirst: [['file', 'image.png', 'image/png', 'PNG']],
      percent: [['a%0Ab%22', 'value']],
      emptyString: [['a', '']],
      emptyFile: [['a', 'e.txt', 'text/plain', '']],
      notBoundary: [['a', 'x--boundary']],
      crlfValue: [['a', 'line1\r\nline2']],
      padding: [['a', 'value']],
      paddingEnd: [['a', 'value']],
      epilogue: [['a', 'value']],
      caseAndSpace: [['a', 'f', 'text/html', 'v']],
      lastCT: [['a', 'f', 'text/plain', 'v']],
      badCT: [['a', 'f', '', 'v']],
      serializedCT: [['a', 'f', 'text/html;x=y', 'v']],
      emptyCT: [['a', 'f', '', 'v']],
      nonAscii: [['é', '中文.txt', 'text/plain', '😀']],
      control: [['a\u0001b', 'v']],
      onlyClose: [],
      quoted: [['a', 'value']],
      nonAsciiBoundary: [['a', 'value']],
      invalidUtf8: [['a\uFFFD', 'b\uFFFD']],
    });
    for (const [k, v] of Object.entries(r.badOut)) expect(`${k}: ${v}`).toBe(`${k}: TypeError`);
  });
});
