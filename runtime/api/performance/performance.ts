// High Resolution Time (Performance, performance.now/timeOrigin/toJSON) and User Timing
// (mark, measure, PerformanceEntry/Mark/Measure, getEntries*).
// https://w3c.github.io/hr-time/  https://w3c.github.io/user-timing/
import {
  ArrayPrototypePush, ArrayPrototypeSlice, ArrayPrototypeSort, NumberIsFinite, ObjectCreate, ObjectDefineProperty, ReflectGet, TypeError,
} from '../intrinsics.ts';
import { DOMException } from '../webidl/dom-exception.ts';
import { EventTarget } from '../events/event-target.ts';
import { dictMember, finishInterface, illegalConstructor, requiredArguments, toDictionary, toDOMString } from '../events/idl.ts';
import { structuredClone } from '../messaging/structured-clone.ts';
import { now, timeOrigin } from './clock.ts';
import { newList } from '../events/list.ts';

interface EntryFields {
  name: string;
  entryType: string;
  startTime: number;
  duration: number;
  detail: unknown;
}

const INTERNAL = Symbol('PerformanceEntry');
let entryOf: (v: unknown) => EntryFields | undefined;
let pendingFields: EntryFields | undefined;

export class PerformanceEntry {
  #f: EntryFields;

  constructor(key: unknown = undefined) {
    if (key !== INTERNAL || pendingFields === undefined) illegalConstructor();
    this.#f = pendingFields;
    pendingFields = undefined;
  }

  static {
    entryOf = (v) => (typeof v === 'object' && v !== null && #f in v ? (v as PerformanceEntry).#f : undefined);
  }

  get name(): string {
    return entry(this).name;
  }
  get entryType(): string {
    return entry(this).entryType;
  }
  get startTime(): number {
    return entry(this).startTime;
  }
  get duration(): number {
    return entry(this).duration;
  }
  toJSON(): object {
    const f = entry(this);
    return { name: f.name, entryType: f.entryType, startTime: f.startTime, duration: f.duration };
  }
}

function entry(self: unknown): EntryFields {
  const f = entryOf(self);
  if (f === undefined) throw new TypeError('Illegal invocation');
  return f;
}

function toTimestamp(v: unknown, what: string): number {
  if (typeof v === 'bigint' || typeof v === 'symbol') throw new TypeError(`${what} is not a number`);
  const n = +(v as number);
  if (!NumberIsFinite(n)) throw new TypeError(`${what} is not a finite number`);
  return n;
}

function cloneDetail(detail: unknown): unknown {
  return detail === undefined || detail === null ? null : structuredClone(detail);
}

export class PerformanceMark extends PerformanceEntry {
  constructor(markName: unknown, markOptions: unknown = undefined) {
    requiredArguments(arguments.length, 1, "construct 'PerformanceMark'");
    const name = toDOMString(markName);
    const dict = toDictionary(markOptions, 'PerformanceMarkOptions');
    const detail = dictMember(dict, 'detail');
    const start = dictMember(dict, 'startTime');
    let startTime: number;
    if (start !== undefined) {
      startTime = toTimestamp(start, "Failed to construct 'PerformanceMark': startTime");
      if (startTime < 0) throw new TypeError("Failed to construct 'PerformanceMark': startTime cannot be negative.");
    } else {
      startTime = now();
    }
    pendingFields = { name, entryType: 'mark', startTime, duration: 0, detail: cloneDetail(detail) };
    super(INTERNAL);
  }

  get detail(): unknown {
    const f = entry(this);
    if (f.entryType !== 'mark') throw new TypeError('Illegal invocation');
    return f.detail;
  }
}

export class PerformanceMeasure extends PerformanceEntry {
  constructor(key: unknown = undefined) {
    if (key !== INTERNAL) illegalConstructor();
    super(INTERNAL);
  }

  get detail(): unknown {
    const f = entry(this);
    if (f.entryType !== 'measure') throw new TypeError('Illegal invocation');
    return f.detail;
  }
}

finishInterface(PerformanceEntry, 'PerformanceEntry', { constructor: 0 });
finishInterface(PerformanceMark, 'PerformanceMark', { constructor: 1 });
finishInterface(PerformanceMeasure, 'PerformanceMeasure', { constructor: 0 });

// The performance entry buffer for marks and measures (per isolate; unbounded, as User Timing says).
const buffer = newList<PerformanceEntry>();

function sorted(list: PerformanceEntry[]): PerformanceEntry[] {
  // Array.prototype.sort is stable: entries with equal startTime keep insertion order.
  return ArrayPrototypeSort(list, (a, b) => entryOf(a)!.startTime - entryOf(b)!.startTime);
}

function filterEntries(name: string | undefined, type: string | undefined): PerformanceEntry[] {
  const out = newList<PerformanceEntry>();
  for (let i = 0; i < buffer.length; i++) {
    const f = entryOf(buffer[i])!;
    if (name !== undefined && f.name !== name) continue;
    if (type !== undefined && f.entryType !== type) continue;
    ArrayPrototypePush(out, buffer[i]!);
  }
  return ArrayPrototypeSlice(sorted(out));
}

function clearEntries(type: string, name: string | undefined): void {
  let w = 0;
  for (let i = 0; i < buffer.length; i++) {
    const f = entryOf(buffer[i])!;
    if (f.entryType === type && (name === undefined || f.name === name)) continue;
    buffer[w++] = buffer[i]!;
  }
  buffer.length = w;
}

/** User Timing "convert a mark to a timestamp". */
function markToTimestamp(mark: unknown, what: string): number {
  if (typeof mark === 'number') {
    if (mark < 0) throw new TypeError(`${what} cannot be negative.`);
    return mark;
  }
  const name = mark as string;
  for (let i = buffer.length - 1; i >= 0; i--) {
    const f = entryOf(buffer[i])!;
    if (f.entryType === 'mark' && f.name === name) return f.startTime;
  }
  throw new DOMException(`Failed to execute 'measure' on 'Performance': The mark '${name}' does not exist.`, 'SyntaxError');
}

/** (DOMString or DOMHighResTimeStamp) */
function toMarkRef(v: unknown): string | number {
  return typeof v === 'number' ? v : toDOMString(v);
}

const INTERNAL_PERF = Symbol('Performance');

export class Performance extends EventTarget {
  constructor(key: unknown = undefined) {
    if (key !== INTERNAL_PERF) illegalConstructor();
    super();
  }

  now(): number {
    checkPerformance(this);
    return now();
  }

  get timeOrigin(): number {
    checkPerformance(this);
    return timeOrigin();
  }

  toJSON(): object {
    checkPerformance(this);
    return { timeOrigin: timeOrigin() };
  }

  mark(markName: unknown, markOptions: unknown = undefined): PerformanceMark {
    checkPerformance(this);
    requiredArguments(arguments.length, 1, 'mark');
    const mark = new PerformanceMark(markName, markOptions);
    ArrayPrototypePush(buffer, mark);
    return mark;
  }

  clearMarks(markName: unknown = undefined): void {
    checkPerformance(this);
    clearEntries('mark', markName === undefined ? undefined : toDOMString(markName));
  }

  measure(measureName: unknown, startOrMeasureOptions: unknown = undefined, endMark: unknown = undefined): PerformanceMeasure {
    checkPerformance(this);
    requiredArguments(arguments.length, 1, 'measure');
    const name = toDOMString(measureName);
    // (DOMString or PerformanceMeasureOptions) startOrMeasureOptions = {}
    let options: object | undefined;
    let startString: string | undefined;
    if (startOrMeasureOptions === undefined || startOrMeasureOptions === null ||
      typeof startOrMeasureOptions === 'object' || typeof startOrMeasureOptions === 'function') {
      options = toDictionary(startOrMeasureOptions, 'PerformanceMeasureOptions');
    } else {
      startString = toDOMString(startOrMeasureOptions);
    }
    const endMarkName = endMark === undefined ? undefined : toDOMString(endMark);
    const detail = dictMember(options, 'detail');
    const durationRaw = dictMember(options, 'duration');
    const duration = durationRaw === undefined ? undefined : toTimestamp(durationRaw, 'duration');
    const endRaw = dictMember(options, 'end');
    const end = endRaw === undefined ? undefined : toMarkRef(endRaw);
    const startRaw = dictMember(options, 'start');
    const start = startRaw === undefined ? undefined : toMarkRef(startRaw);
    const what = "Failed to execute 'measure' on 'Performance'";
    if (options !== undefined && (start !== undefined || end !== undefined || duration !== undefined || detail !== undefined)) {
      if (endMarkName !== undefined) throw new TypeError(`${what}: endMark cannot be given with measure options.`);
      if (start === undefined && end === undefined) throw new TypeError(`${what}: measure options need a start or an end.`);
      if (start !== undefined && duration !== undefined && end !== undefined) {
        throw new TypeError(`${what}: start, end and duration cannot all be given.`);
      }
    }
    let endTime: number;
    if (endMarkName !== undefined) endTime = markToTimestamp(endMarkName, what);
    else if (end !== undefined) endTime = markToTimestamp(end, what);
    else if (start !== undefined && duration !== undefined) endTime = markToTimestamp(start, what) + duration;
    else endTime = now();
    let startTime: number;
    if (start !== undefined) startTime = markToTimestamp(start, what);
    else if (duration !== undefined && end !== undefined) startTime = endTime - duration;
    else if (startString !== undefined) startTime = markToTimestamp(startString, what);
    else startTime = 0;
    pendingFields = { name, entryType: 'measure', startTime, duration: endTime - startTime, detail: cloneDetail(detail) };
    const measure = new PerformanceMeasure(INTERNAL);
    ArrayPrototypePush(buffer, measure);
    return measure;
  }

  clearMeasures(measureName: unknown = undefined): void {
    checkPerformance(this);
    clearEntries('measure', measureName === undefined ? undefined : toDOMString(measureName));
  }

  getEntries(): PerformanceEntry[] {
    checkPerformance(this);
    return filterEntries(undefined, undefined);
  }

  getEntriesByType(type: unknown): PerformanceEntry[] {
    checkPerformance(this);
    requiredArguments(arguments.length, 1, 'getEntriesByType');
    return filterEntries(undefined, toDOMString(type));
  }

  getEntriesByName(name: unknown, type: unknown = undefined): PerformanceEntry[] {
    checkPerformance(this);
    requiredArguments(arguments.length, 1, 'getEntriesByName');
    return filterEntries(toDOMString(name), type === undefined ? undefined : toDOMString(type));
  }
}

let performanceObject: Performance | undefined;

function checkPerformance(self: unknown): void {
  if (self !== performanceObject || self === undefined) throw new TypeError('Illegal invocation');
}

finishInterface(Performance, 'Performance', {
  constructor: 0, mark: 1, measure: 1, getEntriesByType: 1, getEntriesByName: 1, clearMarks: 0, clearMeasures: 0,
});

/** The isolate's one Performance object. */
export function performance(): Performance {
  performanceObject ??= new Performance(INTERNAL_PERF);
  return performanceObject;
}

void ObjectCreate;
void ObjectDefineProperty;
void ReflectGet;
