// application/x-www-form-urlencoded parsing and serializing (https://url.spec.whatwg.org/#urlencoded-parsing).
// Used by URLSearchParams and by the fetch area (Request/Response formData(), URLSearchParams bodies).
import { StringPrototypeCharCodeAt, TypedArrayPrototypeGetLength } from '../intrinsics.ts';
import { FORM_SET, percentDecodeBytes, percentDecodeString, percentEncodeString } from './percent.ts';

/**
 * The application/x-www-form-urlencoded parser. A string is read as its UTF-8 encoding (what
 * URLSearchParams does with its string init); bytes are a body. Names and values are UTF-8
 * decoded with replacement.
 */
export function parseUrlencoded(input: Uint8Array | string): [string, string][] {
  const out: [string, string][] = [];
  let n = 0;
  if (typeof input === 'string') {
    const len = input.length;
    let start = 0;
    while (start <= len) {
      let end = start;
      let eq = -1;
      for (; end < len; end++) {
        const c = StringPrototypeCharCodeAt(input, end);
        if (c === 0x26) break;
        if (c === 0x3d && eq === -1) eq = end;
      }
      if (end > start) {
        out[n++] = eq === -1
          ? [percentDecodeString(input, true, start, end), '']
          : [percentDecodeString(input, true, start, eq), percentDecodeString(input, true, eq + 1, end)];
      }
      start = end + 1;
    }
    return out;
  }
  const len = TypedArrayPrototypeGetLength(input);
  let start = 0;
  while (start <= len) {
    let end = start;
    let eq = -1;
    for (; end < len; end++) {
      const c = input[end]!;
      if (c === 0x26) break;
      if (c === 0x3d && eq === -1) eq = end;
    }
    if (end > start) {
      out[n++] = eq === -1
        ? [percentDecodeBytes(input, start, end, true), '']
        : [percentDecodeBytes(input, start, eq, true), percentDecodeBytes(input, eq + 1, end, true)];
    }
    start = end + 1;
  }
  return out;
}

/** The application/x-www-form-urlencoded serializer (UTF-8). */
export function serializeUrlencoded(list: readonly (readonly [string, string])[]): string {
  let out = '';
  for (let i = 0; i < list.length; i++) {
    const pair = list[i]!;
    if (i > 0) out += '&';
    out += percentEncodeString(pair[0], FORM_SET, true) + '=' + percentEncodeString(pair[1], FORM_SET, true);
  }
  return out;
}
