// Host ops for this area (being filled in by the issue that owns it).
import type { OpModule } from './types.ts';

export const performanceOps: OpModule = {};
