// Finds the `*.any.js` files of a WPT checkout to run, expanded into one job per variant.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseMeta, runsInIsle, variantId, type TestMeta } from './meta.ts';

/** The WPT directories the project tracks (the default selection). */
export const DEFAULT_DIRS = [
  'url', 'encoding', 'streams', 'fetch/api', 'fetch/data-urls', 'FileAPI', 'xhr/formdata', 'dom/events', 'dom/abort',
  'html/webappapis', 'WebCryptoAPI', 'compression', 'console', 'hr-time',
];

export interface Job {
  /** Root-relative path of the test file, with `/` separators. */
  path: string;
  /** `''` or a `?query` / `#fragment` from `variant=`. */
  variant: string;
  /** `path` + `variant`: the key in results and expectations. */
  id: string;
  meta: TestMeta;
}

export interface Discovery {
  jobs: Job[];
  /** Files found but not run, with why (window-only, …). */
  skipped: { path: string; reason: string }[];
}

function walk(dir: string, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries.sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const full = join(dir, name);
    let st;
    try {
      st = statSync(full);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      // Support files are loaded by META script=, never run on their own.
      if (name === 'resources' || name === 'support') continue;
      walk(full, out);
    } else if (name.endsWith('.any.js')) out.push(full);
  }
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/**
 * Lists the jobs under `wptDir`. `filters` are root-relative paths or path prefixes (a directory
 * or a file, optionally with a variant); without filters, DEFAULT_DIRS.
 */
export function discover(wptDir: string, filters: string[] = []): Discovery {
  const selection = filters.length > 0 ? filters : DEFAULT_DIRS;
  const files = new Set<string>();
  const variantFilter = new Map<string, Set<string>>();
  for (const f of selection) {
    const norm = f.replace(/^\/+/, '').replace(/\/+$/, '');
    const bare = norm.split(/[?#]/)[0]!;
    const full = join(wptDir, bare);
    let st;
    try {
      st = statSync(full);
    } catch {
      // A prefix of file names (e.g. `url/url-`): match files under its directory.
      const found: string[] = [];
      walk(join(wptDir, bare.split('/').slice(0, -1).join('/')), found);
      for (const file of found) if (toPosix(relative(wptDir, file)).startsWith(bare)) files.add(file);
      continue;
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      walk(full, found);
      for (const file of found) files.add(file);
    } else {
      files.add(full);
      if (norm !== bare) {
        const set = variantFilter.get(bare) ?? new Set<string>();
        set.add(norm.slice(bare.length));
        variantFilter.set(bare, set);
      }
    }
  }
  const jobs: Job[] = [];
  const skipped: Discovery['skipped'] = [];
  for (const file of [...files].sort()) {
    const path = toPosix(relative(wptDir, file));
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (e) {
      skipped.push({ path, reason: `unreadable: ${(e as Error).message}` });
      continue;
    }
    const meta = parseMeta(source);
    if (!runsInIsle(meta.globals)) {
      skipped.push({ path, reason: `global=${meta.globals!.join(',')} has no worker-like scope` });
      continue;
    }
    const variants = meta.variants.length > 0 ? meta.variants : [''];
    const only = variantFilter.get(path);
    for (const variant of variants) {
      if (only && !only.has(variant)) continue;
      jobs.push({ path, variant, id: variantId(path, variant), meta });
    }
  }
  return { jobs, skipped };
}
