// What `worker dev` and `worker dev --jail` share: the console output, and the esbuild context
// that bundles the entry, rebuilds it on change and reports each build. A failed rebuild prints
// file:line:col and keeps the previous build serving.
import * as esbuild from 'esbuild';
import { bundleFromResult, bundleOptions, BundleError, formatBuildError, type WorkerBundle } from '../bundler/bundle.ts';
import type { Limits } from '../config/limits.ts';
import type { Isolation } from '../host/engine.ts';
import { formatLogRecord, type LogRecord } from '../host/log.ts';

/** The options `worker dev` and `worker dev --jail` both take. */
export interface DevServerOptions {
  entry: string;
  root: string;
  host: string;
  port: number;
  env: Record<string, unknown>;
  limits: Limits;
  isolation: Isolation;
  allowEgress: string[];
  /** Rebuild on change (default true). */
  watch: boolean;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export interface DevOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The given output lines, else stdout and stderr. */
export function devOutput(o: { out?: (line: string) => void; err?: (line: string) => void }): DevOutput {
  return {
    out: o.out ?? ((l) => process.stdout.write(l + '\n')),
    err: o.err ?? ((l) => process.stderr.write(l + '\n')),
  };
}

/** A log record as a console line: errors and warnings on `err`, the rest on `out`. */
export function printLogRecord(r: LogRecord, output: DevOutput): void {
  (r.level === 'error' || r.level === 'warn' ? output.err : output.out)(formatLogRecord(r));
}

export interface DevBuildOptions {
  entry: string;
  root: string;
  /** Rebuild on change; else build once. */
  watch: boolean;
  /** The reporter plugin's name. */
  name: string;
  err: (line: string) => void;
  /** Whether a build is in service; until then, builds settle the first build. */
  serving: () => boolean;
  /** A successful build once one is in service (the caller decides whether it changed anything). */
  rebuilt: (bundle: WorkerBundle) => void;
}

export interface DevBuild {
  context: esbuild.BuildContext;
  /** The first successful build. */
  first: WorkerBundle;
}

/**
 * Starts the esbuild context and waits for the first build. Throws (with the context disposed)
 * when the first build fails; the caller disposes the context otherwise.
 */
export async function startDevBuild(o: DevBuildOptions): Promise<DevBuild> {
  let firstBuild: ((b: WorkerBundle) => void) | undefined;
  let firstFailure: ((e: Error) => void) | undefined;
  const built = new Promise<WorkerBundle>((resolve, reject) => {
    firstBuild = resolve;
    firstFailure = reject;
  });
  // The first build may fail before anything awaits `built`; that rejection is handled below.
  built.catch(() => {});

  const reporter: esbuild.Plugin = {
    name: o.name,
    setup(build) {
      let builds = 0;
      build.onEnd((result) => {
        builds++;
        try {
          const { bundle } = bundleFromResult(result, o.root);
          if (o.serving()) o.rebuilt(bundle);
          else firstBuild?.(bundle);
        } catch (e) {
          const text = e instanceof BundleError ? e.errors.map(formatBuildError).join('\n') : String(e);
          o.err(`Build failed${builds > 1 ? ' — still serving the previous build' : ''}:\n${text}`);
          if (!o.serving()) firstFailure?.(e as Error);
        }
      });
    },
  };

  const options = bundleOptions(o.entry, o.root);
  const context = await esbuild.context({ ...options, plugins: [...(options.plugins ?? []), reporter] });
  try {
    if (o.watch) await context.watch();
    else await context.rebuild().catch(() => {});
    return { context, first: await built };
  } catch (e) {
    await context.dispose();
    throw e;
  }
}
