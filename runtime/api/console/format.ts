// The Console Standard's Formatter (https://console.spec.whatwg.org/#formatter) and the text
// layout of console.table. Format specifiers are applied in one pass (results are never re-scanned).
import {
  ArrayIsArray, ArrayPrototypeJoin, ArrayPrototypePush, MapIteratorPrototypeNext, MapPrototypeEntries,
  MapPrototypeGetSize, NumberParseFloat, NumberParseInt, ObjectHasOwn,
  ReflectGetOwnPropertyDescriptor, ReflectOwnKeys, SetIteratorPrototypeNext, SetPrototypeGetSize,
  SetPrototypeValues, StringPrototypeCharCodeAt, StringPrototypeIndexOf, StringPrototypePadEnd,
  StringPrototypeRepeat, StringPrototypeSlice, SymbolPrototypeToString,
} from '../intrinsics.ts';
import { formatPrimitive, hasUserToString, inspect } from './inspect.ts';

/** How one console argument prints on its own: strings as they are, anything else inspected. */
export function formatArg(v: unknown): string {
  return typeof v === 'string' ? v : inspect(v);
}

function numberText(n: number): string {
  return n === 0 && 1 / n < 0 ? '-0' : '' + n;
}

function formatS(v: unknown): string {
  switch (typeof v) {
    case 'string': return v;
    case 'bigint': return '' + v + 'n';
    case 'symbol': return SymbolPrototypeToString(v);
    case 'number': return numberText(v);
    case 'object':
    case 'function': {
      if (v === null) return 'null';
      let user = false;
      try {
        user = hasUserToString(v);
      } catch {}
      // The tenant's own toString runs (and may throw) as `String(v)` would; built-ins are inspected.
      return user ? `${v as object}` : inspect(v, { depth: 0 });
    }
    default: return '' + (v as boolean | undefined);
  }
}

/**
 * Formatter(args) followed by the rest of the arguments, joined by spaces (Logger's printing).
 * Throws only what the spec makes throw: `%d`/`%i`/`%f` on a Symbol (TypeError), a tenant's own
 * `toString`/`valueOf` used by `%s`/`%d`/`%f`.
 */
export function formatLogArgs(args: readonly unknown[]): string {
  if (args.length === 0) return '';
  const first = args[0];
  let out = '';
  let next = 1;
  if (typeof first === 'string' && args.length > 1) {
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (StringPrototypeCharCodeAt(first, i) !== 37) continue; // %
      const c = StringPrototypeCharCodeAt(first, i + 1);
      let piece: string | undefined;
      if (c === 37) {
        piece = '%';
      } else if (next < args.length) {
        const arg = args[next];
        switch (c) {
          case 115: piece = formatS(arg); break; // s
          case 100: case 105: // d i
            piece = typeof arg === 'bigint' ? '' + arg + 'n' : numberText(NumberParseInt(arg as string, 10));
            break;
          case 102: piece = numberText(NumberParseFloat(arg as string)); break; // f
          case 111: piece = inspect(arg, { depth: 4 }); break; // o
          case 79: piece = inspect(arg); break; // O
          case 99: piece = ''; break; // c: CSS, ignored
        }
        if (piece !== undefined && c !== 37) next++;
      }
      if (piece === undefined) continue;
      out += StringPrototypeSlice(first, last, i) + piece;
      last = i + 2;
      i++;
    }
    out += StringPrototypeSlice(first, last);
  } else {
    out = formatArg(first);
  }
  for (; next < args.length; next++) out += ' ' + formatArg(args[next]);
  return out;
}

/** Does a string contain a format specifier the Formatter would consume? */
export function hasFormatSpecifier(s: string): boolean {
  for (let i = StringPrototypeIndexOf(s, '%'); i !== -1 && i < s.length - 1; i = StringPrototypeIndexOf(s, '%', i + 1)) {
    const c = StringPrototypeCharCodeAt(s, i + 1);
    if (c === 115 || c === 100 || c === 105 || c === 102 || c === 111 || c === 79 || c === 99) return true;
  }
  return false;
}

// ---- console.table ----

function cell(v: unknown): string {
  if (typeof v !== 'object' && typeof v !== 'function') return formatPrimitive(v);
  const s = inspect(v, { depth: 0 });
  // Keep the table one line per row.
  let out = '';
  let space = false;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c === 10 || (space && c === 32)) {
      if (!space) out += ' ';
      space = true;
      continue;
    }
    space = false;
    out += s[i]!;
  }
  return out;
}

function ownEnumerableData(obj: object): [string, unknown][] {
  const keys = ReflectOwnKeys(obj);
  const out: [string, unknown][] = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (typeof k !== 'string') continue;
    const d = ReflectGetOwnPropertyDescriptor(obj, k);
    if (d === undefined || !d.enumerable) continue;
    ArrayPrototypePush(out, [k, ObjectHasOwn(d, 'value') ? d.value : d.get !== undefined ? GETTER : undefined]);
  }
  return out;
}
const GETTER = { getter: true };

function renderTable(header: string[], rows: string[][]): string {
  const widths: number[] = [];
  for (let c = 0; c < header.length; c++) {
    let w = header[c]!.length;
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r]![c] ?? '';
      if (v.length > w) w = v.length;
    }
    widths[c] = w + 2;
  }
  const line = (l: string, m: string, r: string) => {
    let s = l;
    for (let c = 0; c < widths.length; c++) s += StringPrototypeRepeat('─', widths[c]!) + (c === widths.length - 1 ? r : m);
    return s;
  };
  const row = (cells: string[]) => {
    let s = '│';
    for (let c = 0; c < widths.length; c++) s += ' ' + StringPrototypePadEnd(cells[c] ?? '', widths[c]! - 1, ' ') + '│';
    return s;
  };
  const lines: string[] = [line('┌', '┬', '┐'), row(header), line('├', '┼', '┤')];
  for (let r = 0; r < rows.length; r++) ArrayPrototypePush(lines, row(rows[r]!));
  ArrayPrototypePush(lines, line('└', '┴', '┘'));
  return ArrayPrototypeJoin(lines, '\n');
}

/**
 * console.table's text, or undefined when `data` is not tabular (the caller then logs it).
 * Reads only own enumerable data properties (getters show as [Getter], never invoked).
 */
export function formatTable(data: unknown, properties: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  let filter: string[] | undefined;
  if (properties !== undefined) {
    if (!ArrayIsArray(properties)) return undefined;
    filter = [];
    const n = (properties as unknown[]).length;
    for (let i = 0; i < n; i++) ArrayPrototypePush(filter, `${(properties as unknown[])[i] as string}`);
  }
  const indexHeader: string[] = [];
  const indexCells: string[][] = [];
  let entries: [string, unknown][] = [];
  let isMapOrSet = false;
  try {
    MapPrototypeGetSize(data as Map<unknown, unknown>);
    isMapOrSet = true;
    ArrayPrototypePush(indexHeader, '(iteration index)', 'Key');
    const it = MapPrototypeEntries(data as Map<unknown, unknown>);
    for (let i = 0; ; i++) {
      const r = MapIteratorPrototypeNext(it) as IteratorResult<[unknown, unknown]>;
      if (r.done) break;
      ArrayPrototypePush(indexCells, ['' + i, cell(r.value[0])]);
      ArrayPrototypePush(entries, ['' + i, r.value[1]]);
    }
  } catch {}
  if (!isMapOrSet) {
    try {
      SetPrototypeGetSize(data as Set<unknown>);
      isMapOrSet = true;
      ArrayPrototypePush(indexHeader, '(iteration index)');
      const it = SetPrototypeValues(data as Set<unknown>);
      for (let i = 0; ; i++) {
        const r = SetIteratorPrototypeNext(it);
        if (r.done) break;
        ArrayPrototypePush(indexCells, ['' + i]);
        ArrayPrototypePush(entries, ['' + i, r.value]);
      }
    } catch {}
  }
  if (!isMapOrSet) {
    ArrayPrototypePush(indexHeader, '(index)');
    entries = ownEnumerableData(data);
    for (let i = 0; i < entries.length; i++) ArrayPrototypePush(indexCells, [entries[i]![0]]);
  }
  // Columns: the union of the rows' keys in first-seen order, then "Values" for primitive rows.
  const columns: string[] = [];
  let hasValues = false;
  const rowData: ([string, unknown][] | undefined)[] = [];
  for (let r = 0; r < entries.length; r++) {
    const v = entries[r]![1];
    if (typeof v === 'object' && v !== null && v !== GETTER) {
      const props = ownEnumerableData(v);
      rowData[r] = props;
      if (filter === undefined) {
        for (let p = 0; p < props.length; p++) {
          const key = props[p]![0];
          let known = false;
          for (let c = 0; c < columns.length; c++) if (columns[c] === key) { known = true; break; }
          if (!known) ArrayPrototypePush(columns, key);
        }
      }
    } else {
      rowData[r] = undefined;
      hasValues = true;
    }
  }
  const cols = filter ?? columns;
  const header: string[] = [];
  for (let i = 0; i < indexHeader.length; i++) ArrayPrototypePush(header, indexHeader[i]!);
  for (let i = 0; i < cols.length; i++) ArrayPrototypePush(header, cols[i]!);
  if (hasValues) ArrayPrototypePush(header, 'Values');
  const rows: string[][] = [];
  for (let r = 0; r < entries.length; r++) {
    const cells: string[] = [];
    const idx = indexCells[r]!;
    for (let i = 0; i < idx.length; i++) ArrayPrototypePush(cells, idx[i]!);
    const props = rowData[r];
    for (let c = 0; c < cols.length; c++) {
      let text = '';
      if (props !== undefined) {
        for (let p = 0; p < props.length; p++) {
          if (props[p]![0] === cols[c]) {
            const v = props[p]![1];
            text = v === GETTER ? '[Getter]' : cell(v);
            break;
          }
        }
      }
      ArrayPrototypePush(cells, text);
    }
    if (hasValues) {
      const v = entries[r]![1];
      ArrayPrototypePush(cells, props === undefined ? (v === GETTER ? '[Getter]' : cell(v)) : '');
    }
    ArrayPrototypePush(rows, cells);
  }
  return renderTable(header, rows);
}
