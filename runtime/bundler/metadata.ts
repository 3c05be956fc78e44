// The metadata that travels with a bundle as one immutable version (`worker build` writes it,
// `worker deploy` uploads it).
import type { ProjectConfig } from '../config/project.ts';
import type { Limits } from '../config/limits.ts';
import type { WorkerBundle } from './bundle.ts';

export interface VersionMetadata {
  name: string | undefined;
  bundleId: string;
  compatibilityDate: string | undefined;
  vars: Record<string, unknown>;
  routes: string[];
  limits: Partial<Limits>;
  crons: string[];
}

export function versionMetadata(project: ProjectConfig, bundle: WorkerBundle): VersionMetadata {
  return {
    name: project.name,
    bundleId: bundle.id,
    compatibilityDate: project.compatibilityDate,
    vars: project.vars,
    routes: project.routes,
    limits: project.limits,
    crons: project.crons,
  };
}
