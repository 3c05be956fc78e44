// The URL area: URL, URLSearchParams, URLPattern, and the internals other areas use.
import { StringPrototypeToWellFormed } from '../intrinsics.ts';
import { parseURLRecord, serializeURLRecord, type URLRecord } from './parser.ts';

export { URL, urlRecordOf } from './url.ts';
export { URLSearchParams } from './search-params.ts';
export { URLPattern } from './pattern/url-pattern.ts';
export { parseUrlencoded, serializeUrlencoded } from './urlencoded.ts';
export { serializeOrigin, type URLRecord } from './parser.ts';

/**
 * The URL parser: `input` against an optional `base` URL string. Returns the URL record, or null
 * if either fails to parse. Strings are taken as USVStrings (lone surrogates become U+FFFD).
 */
export function parseURL(input: string, base?: string): URLRecord | null {
  let baseRecord: URLRecord | null = null;
  if (base !== undefined) {
    baseRecord = parseURLRecord(StringPrototypeToWellFormed(base), null);
    if (baseRecord === null) return null;
  }
  return parseURLRecord(StringPrototypeToWellFormed(input), baseRecord);
}

/** The URL serializer (with `excludeFragment`, no "#fragment"). */
export function serializeURL(record: URLRecord, excludeFragment = false): string {
  return serializeURLRecord(record, excludeFragment);
}
