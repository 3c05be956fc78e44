// Performance: the `performance` attribute, Performance, PerformanceEntry/Mark/Measure.
import { exposeAttribute, exposeInterface } from '../globals.ts';
import { Performance, PerformanceEntry, PerformanceMark, PerformanceMeasure, performance } from './performance.ts';

export function install(): void {
  exposeInterface('Performance', Performance);
  exposeInterface('PerformanceEntry', PerformanceEntry);
  exposeInterface('PerformanceMark', PerformanceMark);
  exposeInterface('PerformanceMeasure', PerformanceMeasure);
  exposeAttribute('performance', performance);
}
