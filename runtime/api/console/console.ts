// The `console` namespace (https://console.spec.whatwg.org/). Formatting happens here, in the
// isolate; only the level and the finished text cross to the host (`console.write`).
import { hostSend } from '../bridge/host.ts';
import {
  ArrayPrototypeJoin, ArrayPrototypePush, DateNow, ErrorCaptureStackTrace, FunctionPrototypeCall, Map,
  MapPrototypeDelete, MapPrototypeGet, MapPrototypeHas, MapPrototypeSet, NumberPrototypeToFixed, ObjectCreate,
  ObjectDefineProperty, ObjectHasOwn, ObjectPrototype, ReflectGetOwnPropertyDescriptor,
  StringPrototypeIndexOf, StringPrototypeReplaceAll, StringPrototypeSlice, SymbolToStringTag,
} from '../intrinsics.ts';
import { formatArg, formatLogArgs, formatTable, hasFormatSpecifier } from './format.ts';
import { inspect, type InspectOptions } from './inspect.ts';

/** Levels the host understands (runtime/host/log.ts). */
type Level = 'debug' | 'info' | 'log' | 'warn' | 'error';

let groupIndent = '';
const counts = new Map<string, number>();
const timers = new Map<string, number>();

/** Longest message handed to the host; the rest is cut with a note. */
const MAX_MESSAGE = 1 << 20;

/** Printer: indent every line by the current group depth and hand the text to the host. */
function print(level: Level, text: string): void {
  if (groupIndent !== '') {
    text = groupIndent + (StringPrototypeIndexOf(text, '\n') === -1 ? text : StringPrototypeReplaceAll(text, '\n', '\n' + groupIndent));
  }
  if (text.length > MAX_MESSAGE) {
    text = StringPrototypeSlice(text, 0, MAX_MESSAGE) + `… [${text.length - MAX_MESSAGE} more characters]`;
  }
  hostSend('console.write', level, text);
}

/** Logger: Formatter on the arguments, then Printer. */
function logger(level: Level, args: unknown[]): void {
  if (args.length === 0) return;
  print(level, formatLogArgs(args));
}

/** WebIDL DOMString conversion of a label (a tenant's toString runs; Symbols throw TypeError). */
function label(v: unknown): string {
  return v === undefined ? 'default' : `${v as string}`;
}

function elapsed(start: number): string {
  const ms = DateNow() - start;
  if (ms >= 1000) return NumberPrototypeToFixed(ms / 1000, 3) + 's';
  return (ms === (ms | 0) ? '' + ms : NumberPrototypeToFixed(ms, 3)) + 'ms';
}

/** The caller's stack (frames only), without console internals. */
function callerStack(skip: Function): string {
  const holder = ObjectCreate(null) as { stack?: string };
  try {
    if (ErrorCaptureStackTrace !== undefined) ErrorCaptureStackTrace(holder, skip);
    const d = ReflectGetOwnPropertyDescriptor(holder, 'stack');
    let stack: unknown;
    if (d !== undefined) stack = ObjectHasOwn(d, 'value') ? d.value : d.get !== undefined ? FunctionPrototypeCall(d.get, holder) : undefined;
    if (typeof stack !== 'string') return '';
    const nl = StringPrototypeIndexOf(stack, '\n');
    return nl === -1 ? '' : StringPrototypeSlice(stack, nl);
  } catch {
    return '';
  }
}

function dirOptions(options: unknown): InspectOptions | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  // A dictionary: members are read with [[Get]], as WebIDL converts dictionaries.
  const o = options as { depth?: unknown; showHidden?: unknown };
  const depth = o.depth;
  const showHidden = o.showHidden;
  return {
    depth: depth === null ? Infinity : typeof depth === 'number' ? depth : undefined,
    showHidden: showHidden === true,
  };
}

// Object-literal methods: not constructors, `length` 0 (every IDL argument is optional or variadic).
const methods = {
  assert(condition: unknown = false, ...data: unknown[]): void {
    if (condition) return;
    const message = 'Assertion failed';
    if (data.length === 0) ArrayPrototypePush(data, message);
    else if (typeof data[0] === 'string') data[0] = message + ': ' + data[0];
    else {
      const rest: unknown[] = [message];
      for (let i = 0; i < data.length; i++) ArrayPrototypePush(rest, data[i]);
      data = rest;
    }
    logger('error', data);
  },
  clear(): void {
    // There is no screen to clear; the spec's observable part is emptying the group stack.
    groupIndent = '';
  },
  debug(...data: unknown[]): void {
    logger('debug', data);
  },
  error(...data: unknown[]): void {
    logger('error', data);
  },
  info(...data: unknown[]): void {
    logger('info', data);
  },
  log(...data: unknown[]): void {
    logger('log', data);
  },
  // Optional IDL arguments as rest parameters: `length` stays 0, as WebIDL requires.
  table(...args: unknown[]): void {
    const text = formatTable(args[0], args[1]);
    if (text === undefined) logger('log', [args[0]]);
    else print('log', text);
  },
  trace(...data: unknown[]): void {
    const title = data.length === 0 ? 'Trace' : 'Trace: ' + formatLogArgs(data);
    print('log', title + callerStack(methods.trace));
  },
  warn(...data: unknown[]): void {
    logger('warn', data);
  },
  dir(...args: unknown[]): void {
    const item = args[0];
    if (typeof item === 'string' && args.length > 1 && hasFormatSpecifier(item)) {
      // Not in the spec's dir(), but what browsers (and WPT) do with a format string.
      logger('log', args);
      return;
    }
    print('log', inspect(item, dirOptions(args[1])));
  },
  dirxml(...data: unknown[]): void {
    logger('log', data);
  },
  count(...args: unknown[]): void {
    const key = label(args[0]);
    const n = (MapPrototypeGet(counts, key) ?? 0) + 1;
    MapPrototypeSet(counts, key, n);
    print('info', key + ': ' + n);
  },
  countReset(...args: unknown[]): void {
    const key = label(args[0]);
    if (MapPrototypeHas(counts, key)) MapPrototypeSet(counts, key, 0);
    else print('warn', `Count for '${key}' does not exist`);
  },
  group(...data: unknown[]): void {
    if (data.length > 0) logger('log', data);
    groupIndent += '  ';
  },
  groupCollapsed(...data: unknown[]): void {
    if (data.length > 0) logger('log', data);
    groupIndent += '  ';
  },
  groupEnd(): void {
    groupIndent = StringPrototypeSlice(groupIndent, 2);
  },
  time(...args: unknown[]): void {
    const key = label(args[0]);
    if (MapPrototypeHas(timers, key)) print('warn', `Timer '${key}' already exists`);
    else MapPrototypeSet(timers, key, DateNow());
  },
  timeLog(...args: unknown[]): void {
    const key = label(args[0]);
    const start = MapPrototypeGet(timers, key);
    if (start === undefined) {
      print('warn', `Timer '${key}' does not exist`);
      return;
    }
    const parts: string[] = [key + ': ' + elapsed(start)];
    for (let i = 1; i < args.length; i++) ArrayPrototypePush(parts, formatArg(args[i]));
    print('info', ArrayPrototypeJoin(parts, ' '));
  },
  timeEnd(...args: unknown[]): void {
    const key = label(args[0]);
    const start = MapPrototypeGet(timers, key);
    if (start === undefined) {
      print('warn', `Timer '${key}' does not exist`);
      return;
    }
    MapPrototypeDelete(timers, key);
    print('info', key + ': ' + elapsed(start));
  },
};

/** Builds the namespace object: [[Prototype]] an empty object whose prototype is %Object.prototype%. */
export function createConsole(): object {
  const ns = ObjectCreate(ObjectCreate(ObjectPrototype)) as Record<string, unknown>;
  const names = [
    'assert', 'clear', 'debug', 'error', 'info', 'log', 'table', 'trace', 'warn', 'dir', 'dirxml',
    'count', 'countReset', 'group', 'groupCollapsed', 'groupEnd', 'time', 'timeLog', 'timeEnd',
  ] as const;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    ObjectDefineProperty(ns, name, { value: methods[name], writable: true, enumerable: true, configurable: true });
  }
  ObjectDefineProperty(ns, SymbolToStringTag, { value: 'console', writable: false, enumerable: false, configurable: true });
  return ns;
}
