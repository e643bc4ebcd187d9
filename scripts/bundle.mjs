/**
 * Compiles the CLI for running: src/ → dist/bundle/, one ES module per entry
 * point plus shared chunks (esbuild, code splitting). A command loads a few
 * files instead of the hundreds its dependencies span, which is most of a
 * short command's start-up time; the CLI's lazy imports stay lazy, as chunks.
 *
 * Every output file sits directly in dist/bundle/, two levels below the
 * package root, as the modules under src/ do: paths a module builds from its
 * own URL (`../../data/`, a worker beside it) resolve the same from both.
 *
 *   node scripts/bundle.mjs
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

/**
 * This build's id: a hash of every source file and of the lock file (the
 * exact versions of vega, vega-lite, the fonts…). The chart cache keys
 * drawings by it, so a changed program never reuses an old drawing.
 */
async function formatBuildId() {
  const hash = createHash('sha256');
  const files = (await readdir(join(root, 'src'), { recursive: true })).filter((f) => f.endsWith('.ts')).sort();
  for (const file of [...files.map((f) => join('src', f)), 'package-lock.json']) {
    hash.update(`${file}\0`);
    hash.update(await readFile(join(root, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

const outdir = new URL('../dist/bundle/', import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [
    { in: 'src/cli.ts', out: 'cli' },
    // The capture reader's worker thread is started from a file beside its parent (capture-thread.ts).
    { in: 'src/ingest/capture-worker.ts', out: 'capture-worker' },
    // Entry points the benchmarks load as the CLI does.
    { in: 'src/build.ts', out: 'build' },
    { in: 'src/print/printer.ts', out: 'printer' },
    { in: 'src/simulate/index.ts', out: 'simulate' },
    { in: 'src/charts/cache.ts', out: 'chart-cache' },
    { in: 'src/commands/ingest.ts', out: 'ingest-command' },
    { in: 'src/commands/stats.ts', out: 'stats-command' },
  ],
  absWorkingDir: root,
  define: { __TSUBAME_BUILD_ID__: JSON.stringify(await formatBuildId()) },
  outdir,
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Packages that read files beside their own code (native bindings, data files, a packed browser)
  // stay in node_modules. `canvas` (vega) and `typescript` (puppeteer's config loader, for a .ts config) are
  // optional imports that a report build never makes.
  external: ['@duckdb/node-api', '@sparticuz/chromium', 'geoip-country', 'canvas', 'typescript'],
  // Bundled CommonJS dependencies call require() for Node's built-in modules, and some use __filename.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { dirname as __pathDirname } from 'node:path';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __pathDirname(__filename);',
    ].join(' '),
  },
});
