// Per-isolate costs, measured in the benchmark's own process (needs --no-node-snapshot): the
// prelude's size, its snapshot's size, isolate + context creation from it (p50), and for each
// given worker its per-version snapshot (size, build time, isolate + context + start p50).
import { dirname } from 'node:path';
import { bundleWorker } from '../runtime/bundler/bundle.ts';
import { ivm } from '../runtime/host/ivm.ts';
import { createLogger } from '../runtime/host/log.ts';
import { LoadedBundle } from '../runtime/host/loaded-bundle.ts';
import { sharedPrelude } from '../runtime/host/prelude.ts';
import { IsolateSession } from '../runtime/host/session.ts';

export interface IsolateMetrics {
  preludeBytes: number;
  snapshotBytes: number;
  isolateContextP50Ms: number;
  bareIsolateContextP50Ms: number;
  versions: Record<string, { bytes: number; buildMs: number; startP50Ms: number } | null>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function isolateAndContext(snapshot: InstanceType<typeof ivm.ExternalCopy<ArrayBuffer>> | undefined, n: number): number {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const isolate = new ivm.Isolate({ memoryLimit: 128, ...(snapshot && { snapshot }) });
    isolate.createContextSync();
    times.push(performance.now() - t);
    isolate.dispose();
  }
  return median(times);
}

export async function measureIsolates(workers: Record<string, string>, n = 100): Promise<IsolateMetrics> {
  const { prelude, snapshot } = await sharedPrelude();
  const versions: IsolateMetrics['versions'] = {};
  const log = createLogger(() => {}, {});
  for (const [name, entry] of Object.entries(workers)) {
    const { bundle } = await bundleWorker(entry, dirname(entry));
    const loaded = new LoadedBundle(bundle);
    const v = await loaded.buildVersionSnapshot();
    if (!v) {
      versions[name] = null;
      continue;
    }
    const times: number[] = [];
    for (let i = 0; i < n / 2; i++) {
      const t = performance.now();
      const session = await IsolateSession.create({
        snapshot: v.snapshot, memoryMb: 128, id: 'bench', log, config: { subrequestLimit: 50, allowEgress: [] },
        boot: { env: {}, dev: false }, start: { startupMs: 1000 },
      });
      times.push(performance.now() - t);
      session.dispose();
    }
    versions[name] = { bytes: v.bytes, buildMs: v.buildMs, startP50Ms: median(times) };
  }
  return {
    preludeBytes: prelude.code.length,
    snapshotBytes: snapshot.copy().byteLength,
    isolateContextP50Ms: isolateAndContext(snapshot, n),
    bareIsolateContextP50Ms: isolateAndContext(undefined, n),
    versions,
  };
}
