// Maps positions in a bundle's stack traces back to the tenant's original files.
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';

export class StackMapper {
  #map: TraceMap | undefined;
  readonly #mapJson: string;
  readonly #filename: string;
  constructor(mapJson: string, filename: string) {
    this.#mapJson = mapJson;
    this.#filename = filename;
  }

  #trace(): TraceMap {
    this.#map ??= new TraceMap(this.#mapJson);
    return this.#map;
  }

  /**
   * Rewrites every `worker.js:L:C` in `stack` to `original/file.ts:L:C`, and drops frames that are
   * not the tenant's: the bundle wrapper (positions with no source), the prelude, and the host side
   * of the isolate boundary.
   */
  mapStack(stack: string): string {
    const escaped = this.#filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g');
    const kept: string[] = [];
    for (const line of stack.split('\n')) {
      if (line.includes('<isolated-vm boundary>')) break;
      const mapped = this.#mapLine(line, pattern);
      const isFrame = /^\s+at /.test(mapped);
      if (isFrame && (pattern.test(mapped) || mapped.includes('isle:prelude'))) {
        pattern.lastIndex = 0;
        continue;
      }
      pattern.lastIndex = 0;
      kept.push(mapped);
    }
    return kept.join('\n');
  }

  #mapLine(text: string, pattern: RegExp): string {
    return text.replace(pattern, (whole, line: string, column: string) => {
      try {
        const pos = originalPositionFor(this.#trace(), { line: Number(line), column: Number(column) - 1 });
        if (pos.source === null || pos.line === null) return whole;
        return `${pos.source}:${pos.line}:${(pos.column ?? 0) + 1}`;
      } catch {
        return whole;
      }
    });
  }
}
