// The url.domainToASCII host op (UTS #46 ToASCII via Node's WHATWG machinery, plus validation of
// labels that are already Punycode), called directly.
import { describe, expect, it } from 'vitest';
import { domainToASCII, punycodeDecode } from '../../runtime/host/ops/url.ts';

describe('url.domainToASCII host op', () => {
  it('maps, normalizes and encodes Unicode domains', () => {
    expect(domainToASCII('Bücher.EXAMPLE')).toBe('xn--bcher-kva.example');
    expect(domainToASCII('faß.de')).toBe('xn--fa-hia.de');
    expect(domainToASCII('ＥＸＡＭＰＬＥ。com')).toBe('example.com');
    expect(domainToASCII('a\u00ADb')).toBe('ab');
  });
  it('validates labels that are already Punycode', () => {
    expect(domainToASCII('xn--zca.xn--zca')).toBe('xn--zca.xn--zca');
    expect(domainToASCII('XN--ZCA')).toBe('xn--zca');
    for (const bad of ['xn--a', 'xn--a.xn--zca', 'xn--ls8h=', 'xn--1ug.example', 'xn--', 'xn--abc-', 'xn--tešla']) {
      expect(domainToASCII(bad), bad).toBe(null);
    }
  });
  it('fails on disallowed input and bad arguments', () => {
    expect(domainToASCII('\u0080')).toBe(null);
    expect(domainToASCII('')).toBe(null);
    expect(domainToASCII(42)).toBe(null);
    expect(domainToASCII('a'.repeat(70_000) + 'é')).toBe(null);
  });
  it('decodes RFC 3492 Punycode', () => {
    expect(punycodeDecode('bcher-kva')).toBe('bücher');
    expect(punycodeDecode('zca')).toBe('ß');
    expect(punycodeDecode('ls8h=')).toBe(null);
    expect(punycodeDecode('-> $1.00 <--')).toBe('-> $1.00 <-');
  });
});
