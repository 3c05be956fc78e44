// Shapes shared by the runner, its child processes, expectations and the report.

export type SubtestStatus = 'PASS' | 'FAIL' | 'TIMEOUT' | 'NOTRUN' | 'PRECONDITION_FAILED';
/** A file's outcome: the harness' own status, or CRASH when the isolate or its process died. */
export type HarnessStatus = 'OK' | 'ERROR' | 'TIMEOUT' | 'PRECONDITION_FAILED' | 'CRASH';

export interface SubtestResult {
  name: string;
  status: SubtestStatus;
  message: string | null;
}

export interface FileResult {
  /** Root-relative path plus variant: the key in expectations. */
  id: string;
  path: string;
  variant: string;
  harness: { status: HarnessStatus; message: string | null };
  subtests: SubtestResult[];
  durationMs: number;
  /** Last console / runtime lines of the isolate, kept when the harness status is not OK. */
  logs?: string[];
}

export interface RunOptions {
  wptDir: string;
  /** Wall budget of a file, ms (WPT's normal timeout). */
  timeoutMs: number;
  /** Wall budget of a `timeout=long` file, ms. */
  longTimeoutMs: number;
  /** Isolate heap limit, MB. */
  memoryMb: number;
}

export const DEFAULT_RUN_OPTIONS: Omit<RunOptions, 'wptDir'> = {
  timeoutMs: 10_000,
  longTimeoutMs: 60_000,
  memoryMb: 256,
};
