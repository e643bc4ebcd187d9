/**
 * Charts drawn before, kept by their spec: a rebuild of a quarter whose chart
 * data, labels and templates did not change takes each SVG from the cache
 * and never loads the chart stack (vega, vega-lite, fontkit).
 *
 * A key is the SHA-256 of everything a drawing depends on: the Vega-Lite spec
 * (template, data, localised text), the id prefix, and the build of this
 * program (its source and locked dependency versions, fonts included), so a
 * changed renderer never serves an old drawing. The on-disk cache exists only
 * for a compiled build, which knows its build id; running from source gets
 * no disk cache.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { PACKAGE_ROOT } from '../paths.js';

/** SVGs by key; misses are `undefined`. */
export interface ChartCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, svg: string): Promise<void>;
}

// Set by scripts/bundle.mjs: a hash of the sources and the lock file of this build.
declare const __TSUBAME_BUILD_ID__: string | undefined;

/** The compiled build's id; `undefined` when running from source. */
export const BUILD_ID: string | undefined = typeof __TSUBAME_BUILD_ID__ === 'string' ? __TSUBAME_BUILD_ID__ : undefined;

/** Where the on-disk cache lives: TSUBAME_CACHE_DIR, or node_modules/.cache/tsubame-report/charts. */
export function formatChartCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.TSUBAME_CACHE_DIR || join(PACKAGE_ROOT, 'node_modules', '.cache', 'tsubame-report', 'charts');
}

/** The cache key of one drawing. */
export function formatChartCacheKey(spec: TopLevelSpec, idPrefix: string | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify([BUILD_ID ?? 'source', idPrefix ?? '', spec]))
    .digest('hex');
}

/** A cache in memory, for one process (the preview server's rebuilds, tests). */
export function createMemoryChartCache(): ChartCache & { readonly size: number } {
  const entries = new Map<string, string>();
  return {
    get: async (key) => entries.get(key),
    set: async (key, svg) => void entries.set(key, svg),
    get size() {
      return entries.size;
    },
  };
}

/** The on-disk cache keeps each build's drawings in `<root>/build-<id>/`. */
const BUILD_FOLDER_PREFIX = 'build-';

/** How many drawings the on-disk cache keeps; past this, the least recently written half goes. */
const MAX_ENTRIES = 2000;

/**
 * The on-disk cache under `root`, in a folder of this build's own
 * (`build-<id>`): the folders of other builds are removed, and nothing else.
 * `undefined` when running from source (no build id), or when `buildId` is
 * given as `undefined`. A cache that cannot be read or written is no error:
 * the chart is drawn.
 */
export async function loadChartCacheDir(root: string, buildId: string | undefined = BUILD_ID): Promise<ChartCache | undefined> {
  if (buildId === undefined) return undefined;
  const folder = `${BUILD_FOLDER_PREFIX}${buildId}`;
  const dir = join(root, folder);
  try {
    await mkdir(dir, { recursive: true });
    // Only folders this cache made are removed: TSUBAME_CACHE_DIR may name a folder that holds other things.
    for (const entry of await readdir(root))
      if (entry.startsWith(BUILD_FOLDER_PREFIX) && entry !== folder) await rm(join(root, entry), { recursive: true, force: true });
    await pruneEntries(dir);
  } catch {
    return undefined;
  }
  return {
    async get(key) {
      try {
        const svg = await readFile(join(dir, `${key}.svg`), 'utf8');
        // A file damaged on disk is a miss, never a broken chart in the report.
        return svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>') ? svg : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, svg) {
      // Written whole under a temporary name, then renamed: a reader never sees half a drawing.
      const temp = join(dir, `${key}.${process.pid}.tmp`);
      try {
        await writeFile(temp, svg);
        await rename(temp, join(dir, `${key}.svg`));
      } catch {
        await rm(temp, { force: true }).catch(() => undefined);
      }
    },
  };
}

async function pruneEntries(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.svg'));
  if (names.length <= MAX_ENTRIES) return;
  const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(join(dir, name))).mtimeMs })));
  dated.sort((a, b) => a.mtime - b.mtime);
  for (const { name } of dated.slice(0, dated.length - MAX_ENTRIES / 2)) await rm(join(dir, name), { force: true });
}
