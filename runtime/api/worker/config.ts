// Per-isolate configuration the host hands to boot (a plain copied object).
import { ObjectFreeze } from '../intrinsics.ts';

export interface BootConfig {
  /** The tenant's `env`: vars and secrets (strings) and JSON vars. */
  env: Record<string, unknown>;
  /** `worker dev`: errors may show stacks to the client. */
  dev: boolean;
}

let current: BootConfig = ObjectFreeze({ env: {}, dev: false });

export function applyBootConfig(config: BootConfig): void {
  current = config;
}

export function bootConfig(): BootConfig {
  return current;
}
