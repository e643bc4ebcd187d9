import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, where templates/, locales/, assets/ and package.json
 * are: the nearest folder above this module that holds a package.json. The
 * module runs from src/ under tsx and from a bundle under dist/bundle/.
 */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`tsubame-report: no package.json above ${start}; the installation is incomplete.`);
  }
}

/** Where the observation store lives unless --store names another (ignored by git). */
export const DEFAULT_STORE_PATH = join(PACKAGE_ROOT, 'data', 'tsubame.duckdb');
