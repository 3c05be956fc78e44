// Tenant dispatch: module workers (`export default { fetch, scheduled }`) and service-worker
// scripts (`addEventListener('fetch', …)`), the execution context and waitUntil.
import { installDispatch } from './dispatch.ts';
import { prepareServiceWorkerEvents } from './service-worker.ts';
import { captureWebClasses } from './web.ts';

export function install(): void {
  captureWebClasses();
  prepareServiceWorkerEvents();
  installDispatch();
}
