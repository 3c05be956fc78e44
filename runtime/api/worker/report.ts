// Errors the runtime catches on the tenant's behalf are logged with their stack (the host maps
// the stack through the bundle's source map).
import { hostSend } from '../bridge/host.ts';
import { describeThrown } from './errors.ts';

export function reportWorkerError(where: string, e: unknown): void {
  const info = describeThrown(e);
  hostSend('worker.error', where, info);
}
