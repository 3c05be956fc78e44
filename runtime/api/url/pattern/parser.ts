// URL Pattern Standard: tokenizer, pattern parser, regular expression and pattern string
// generation (https://urlpattern.spec.whatwg.org/#parsing-patterns).
import {
  RegExp, RegExpPrototypeExec, StringFromCharCode, StringPrototypeCharCodeAt, StringPrototypeSlice, TypeError,
} from '../../intrinsics.ts';
import { codePointAt } from '../percent.ts';

// Token types.
export const T_OPEN = 1;
export const T_CLOSE = 2;
export const T_REGEXP = 3;
export const T_NAME = 4;
export const T_CHAR = 5;
export const T_ESCAPED = 6;
export const T_MODIFIER = 7;
export const T_ASTERISK = 8;
export const T_END = 9;
export const T_INVALID = 10;

export interface Token {
  type: number;
  /** Index of the token's first code unit in the input. */
  index: number;
  value: string;
}

// Part types and modifiers.
export const P_FIXED = 1;
export const P_REGEXP = 2;
export const P_SEGMENT = 3;
export const P_FULL = 4;
export const M_NONE = 0;
export const M_OPTIONAL = 1;
export const M_ZERO_OR_MORE = 2;
export const M_ONE_OR_MORE = 3;

export interface Part {
  type: number;
  value: string;
  modifier: number;
  name: string;
  prefix: string;
  suffix: string;
}

export interface Options {
  delimiter: string;
  prefix: string;
  ignoreCase: boolean;
}

export type EncodingCallback = (value: string) => string;

function isASCIIIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x24 || c === 0x5f;
}

let idStart: RegExp | undefined;
let idContinue: RegExp | undefined;

/** "Is a valid name code point": ID_Start / ID_Continue plus `$`, `_` (and ZWNJ/ZWJ after the first). */
export function isValidNameCodePoint(cp: number, first: boolean): boolean {
  if (cp < 0x80) return isASCIIIdentStart(cp) || (!first && cp >= 0x30 && cp <= 0x39);
  if (!first && (cp === 0x200c || cp === 0x200d)) return true;
  // Unicode properties only when a name really has non-ASCII code points (compiled lazily).
  const re = first ? (idStart ??= new RegExp('^\\p{ID_Start}$', 'u')) : (idContinue ??= new RegExp('^\\p{ID_Continue}$', 'u'));
  return RegExpPrototypeExec(re, cpString(cp)) !== null;
}

function cpString(cp: number): string {
  if (cp <= 0xffff) return StringFromCharCode(cp);
  cp -= 0x10000;
  return StringFromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
}

const cpLength = (cp: number): number => (cp > 0xffff ? 2 : 1);

/** The tokenizer. `lenient` turns errors into invalid-char tokens instead of TypeErrors. */
export function tokenize(input: string, lenient: boolean): Token[] {
  const tokens: Token[] = [];
  const len = input.length;
  let index = 0;
  const add = (type: number, next: number, valueStart: number, valueEnd: number) => {
    tokens[tokens.length] = { type, index, value: StringPrototypeSlice(input, valueStart, valueEnd) };
    index = next;
  };
  const error = (next: number, valueStart: number) => {
    if (!lenient) throw new TypeError(`Invalid URL pattern: ${input}`);
    add(T_INVALID, next, valueStart, next);
  };
  while (index < len) {
    const cp = codePointAt(input, index);
    const next = index + cpLength(cp);
    switch (cp) {
      case 0x2a: add(T_ASTERISK, next, index, next); continue;
      case 0x2b: case 0x3f: add(T_MODIFIER, next, index, next); continue;
      case 0x7b: add(T_OPEN, next, index, next); continue;
      case 0x7d: add(T_CLOSE, next, index, next); continue;
      case 0x5c: {
        if (next >= len) { error(next, index); continue; }
        const escaped = codePointAt(input, next);
        const end = next + cpLength(escaped);
        add(T_ESCAPED, end, next, end);
        continue;
      }
      case 0x3a: {
        let pos = next;
        while (pos < len) {
          const c = codePointAt(input, pos);
          if (!isValidNameCodePoint(c, pos === next)) break;
          pos += cpLength(c);
        }
        if (pos <= next) { error(next, index); continue; }
        add(T_NAME, pos, next, pos);
        continue;
      }
      case 0x28: {
        let depth = 1;
        let pos = next;
        const start = pos;
        let failed = false;
        while (pos < len) {
          let c = codePointAt(input, pos);
          let after = pos + cpLength(c);
          if (c >= 0x80) { error(start, index); failed = true; break; }
          if (pos === start && c === 0x3f) { error(start, index); failed = true; break; }
          if (c === 0x5c) {
            if (after >= len) { error(start, index); failed = true; break; }
            c = codePointAt(input, after);
            if (c >= 0x80) { error(start, index); failed = true; break; }
            pos = after + 1;
            continue;
          }
          if (c === 0x29) {
            depth--;
            if (depth === 0) { pos = after; break; }
          } else if (c === 0x28) {
            depth++;
            if (after >= len) { error(start, index); failed = true; break; }
            if (codePointAt(input, after) !== 0x3f) { error(start, index); failed = true; break; }
            after = pos + 1;
          }
          pos = after;
        }
        if (failed) continue;
        if (depth !== 0) { error(start, index); continue; }
        if (pos - start - 1 === 0) { error(start, index); continue; }
        add(T_REGEXP, pos, start, pos - 1);
        continue;
      }
    }
    add(T_CHAR, next, index, next);
  }
  tokens[tokens.length] = { type: T_END, index, value: '' };
  return tokens;
}

const FULL_WILDCARD = '.*';

export function segmentWildcardRegexp(options: Options): string {
  return '[^' + escapeRegexpString(options.delimiter) + ']+?';
}

/** "Escape a regexp string". */
export function escapeRegexpString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    switch (c) {
      case 0x2e: case 0x2b: case 0x2a: case 0x3f: case 0x5e: case 0x24: case 0x7b: case 0x7d: case 0x28:
      case 0x29: case 0x5b: case 0x5d: case 0x7c: case 0x2f: case 0x5c:
        out += '\\';
    }
    out += s[i]!;
  }
  return out;
}

/** "Escape a pattern string". */
export function escapePatternString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    switch (c) {
      case 0x2b: case 0x2a: case 0x3f: case 0x3a: case 0x7b: case 0x7d: case 0x28: case 0x29: case 0x5c:
        out += '\\';
    }
    out += s[i]!;
  }
  return out;
}

function modifierString(m: number): string {
  return m === M_OPTIONAL ? '?' : m === M_ZERO_OR_MORE ? '*' : m === M_ONE_OR_MORE ? '+' : '';
}

/** "Parse a pattern string" into a part list. */
export function parsePatternString(input: string, options: Options, encode: EncodingCallback): Part[] {
  const tokens = tokenize(input, false);
  const segmentWildcard = segmentWildcardRegexp(options);
  const parts: Part[] = [];
  let pending = '';
  let index = 0;
  let nextNumericName = 0;

  const tryConsume = (type: number): Token | null => {
    const t = tokens[index]!;
    if (t.type !== type) return null;
    index++;
    return t;
  };
  const tryConsumeModifier = (): Token | null => tryConsume(T_MODIFIER) ?? tryConsume(T_ASTERISK);
  const tryConsumeRegexpOrWildcard = (name: Token | null): Token | null => {
    const t = tryConsume(T_REGEXP);
    return name === null && t === null ? tryConsume(T_ASTERISK) : t;
  };
  const consumeRequired = (type: number): Token => {
    const t = tryConsume(type);
    if (t === null) throw new TypeError(`Invalid URL pattern: ${input}`);
    return t;
  };
  const consumeText = (): string => {
    let out = '';
    for (;;) {
      const t = tryConsume(T_CHAR) ?? tryConsume(T_ESCAPED);
      if (t === null) return out;
      out += t.value;
    }
  };
  const flushPending = () => {
    if (pending === '') return;
    const value = encode(pending);
    pending = '';
    parts[parts.length] = { type: P_FIXED, value, modifier: M_NONE, name: '', prefix: '', suffix: '' };
  };
  const addPart = (prefix: string, name: Token | null, regexpOrWildcard: Token | null, suffix: string, modifierToken: Token | null) => {
    let modifier = M_NONE;
    if (modifierToken !== null) {
      const v = modifierToken.value;
      modifier = v === '?' ? M_OPTIONAL : v === '*' ? M_ZERO_OR_MORE : M_ONE_OR_MORE;
    }
    if (name === null && regexpOrWildcard === null && modifier === M_NONE) {
      pending += prefix;
      return;
    }
    flushPending();
    if (name === null && regexpOrWildcard === null) {
      if (prefix === '') return;
      parts[parts.length] = { type: P_FIXED, value: encode(prefix), modifier, name: '', prefix: '', suffix: '' };
      return;
    }
    let regexpValue: string;
    if (regexpOrWildcard === null) regexpValue = segmentWildcard;
    else if (regexpOrWildcard.type === T_ASTERISK) regexpValue = FULL_WILDCARD;
    else regexpValue = regexpOrWildcard.value;
    let type = P_REGEXP;
    if (regexpValue === segmentWildcard) { type = P_SEGMENT; regexpValue = ''; }
    else if (regexpValue === FULL_WILDCARD) { type = P_FULL; regexpValue = ''; }
    let partName = '';
    if (name !== null) partName = name.value;
    else if (regexpOrWildcard !== null) partName = '' + nextNumericName++;
    for (let i = 0; i < parts.length; i++) {
      if (parts[i]!.name === partName) throw new TypeError(`Invalid URL pattern: duplicate name '${partName}'`);
    }
    parts[parts.length] = {
      type, value: regexpValue, modifier, name: partName, prefix: encode(prefix), suffix: encode(suffix),
    };
  };

  while (index < tokens.length) {
    const charToken = tryConsume(T_CHAR);
    let nameToken = tryConsume(T_NAME);
    let regexpOrWildcard = tryConsumeRegexpOrWildcard(nameToken);
    if (nameToken !== null || regexpOrWildcard !== null) {
      let prefix = charToken === null ? '' : charToken.value;
      if (prefix !== '' && prefix !== options.prefix) {
        pending += prefix;
        prefix = '';
      }
      flushPending();
      addPart(prefix, nameToken, regexpOrWildcard, '', tryConsumeModifier());
      continue;
    }
    const fixed = charToken ?? tryConsume(T_ESCAPED);
    if (fixed !== null) {
      pending += fixed.value;
      continue;
    }
    if (tryConsume(T_OPEN) !== null) {
      const prefix = consumeText();
      nameToken = tryConsume(T_NAME);
      regexpOrWildcard = tryConsumeRegexpOrWildcard(nameToken);
      const suffix = consumeText();
      consumeRequired(T_CLOSE);
      addPart(prefix, nameToken, regexpOrWildcard, suffix, tryConsumeModifier());
      continue;
    }
    flushPending();
    consumeRequired(T_END);
  }
  return parts;
}

/** "Generate a regular expression and name list". */
export function generateRegexp(parts: readonly Part[], options: Options): { source: string; names: string[] } {
  let out = '^';
  const names: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.type === P_FIXED) {
      if (part.modifier === M_NONE) out += escapeRegexpString(part.value);
      else out += '(?:' + escapeRegexpString(part.value) + ')' + modifierString(part.modifier);
      continue;
    }
    names[names.length] = part.name;
    let value = part.value;
    if (part.type === P_SEGMENT) value = segmentWildcardRegexp(options);
    else if (part.type === P_FULL) value = FULL_WILDCARD;
    const m = part.modifier;
    if (part.prefix === '' && part.suffix === '') {
      if (m === M_NONE || m === M_OPTIONAL) out += '(' + value + ')' + modifierString(m);
      else out += '((?:' + value + ')' + modifierString(m) + ')';
      continue;
    }
    const prefix = escapeRegexpString(part.prefix);
    const suffix = escapeRegexpString(part.suffix);
    if (m === M_NONE || m === M_OPTIONAL) {
      out += '(?:' + prefix + '(' + value + ')' + suffix + ')' + modifierString(m);
      continue;
    }
    out += '(?:' + prefix + '((?:' + value + ')(?:' + suffix + prefix + '(?:' + value + '))*)' + suffix + ')';
    if (m === M_ZERO_OR_MORE) out += '?';
  }
  return { source: out + '$', names };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** "Generate a pattern string". */
export function generatePatternString(parts: readonly Part[], options: Options): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const previous = i > 0 ? parts[i - 1]! : null;
    const next = i < parts.length - 1 ? parts[i + 1]! : null;
    if (part.type === P_FIXED) {
      if (part.modifier === M_NONE) out += escapePatternString(part.value);
      else out += '{' + escapePatternString(part.value) + '}' + modifierString(part.modifier);
      continue;
    }
    const customName = !isDigit(StringPrototypeCharCodeAt(part.name, 0));
    let needsGrouping = part.suffix !== '' || (part.prefix !== '' && part.prefix !== options.prefix);
    if (!needsGrouping && customName && part.type === P_SEGMENT && part.modifier === M_NONE && next !== null &&
        next.prefix === '' && next.suffix === '') {
      if (next.type === P_FIXED) {
        if (next.value !== '' && isValidNameCodePoint(codePointAt(next.value, 0), false)) needsGrouping = true;
      } else if (isDigit(StringPrototypeCharCodeAt(next.name, 0))) {
        needsGrouping = true;
      }
    }
    if (!needsGrouping && part.prefix === '' && previous !== null && previous.type === P_FIXED &&
        previous.value !== '' && lastCodePoint(previous.value) === options.prefix) {
      needsGrouping = true;
    }
    if (needsGrouping) out += '{';
    out += escapePatternString(part.prefix);
    if (customName) out += ':' + part.name;
    if (part.type === P_REGEXP) {
      out += '(' + part.value + ')';
    } else if (part.type === P_SEGMENT && !customName) {
      out += '(' + segmentWildcardRegexp(options) + ')';
    } else if (part.type === P_FULL) {
      if (!customName && (previous === null || previous.type === P_FIXED || previous.modifier !== M_NONE ||
          needsGrouping || part.prefix !== '')) {
        out += '*';
      } else {
        out += '(' + FULL_WILDCARD + ')';
      }
    }
    if (part.type === P_SEGMENT && customName && part.suffix !== '' &&
        isValidNameCodePoint(codePointAt(part.suffix, 0), false)) {
      out += '\\';
    }
    out += escapePatternString(part.suffix);
    if (needsGrouping) out += '}';
    out += modifierString(part.modifier);
  }
  return out;
}

function lastCodePoint(s: string): string {
  const n = s.length;
  const c = StringPrototypeCharCodeAt(s, n - 1);
  if (c >= 0xdc00 && c <= 0xdfff && n >= 2) {
    const h = StringPrototypeCharCodeAt(s, n - 2);
    if (h >= 0xd800 && h <= 0xdbff) return StringPrototypeSlice(s, n - 2);
  }
  return StringPrototypeSlice(s, n - 1);
}
