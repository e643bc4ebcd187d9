/**
 * Benchmark: the whole report build (the demo's statistics → 2 languages × HTML + PDF)
 * against a floor measured in the same run: for each finished HTML file, a
 * fresh browser with the same binary and options prints it once with the same
 * pdf() options. Target: build ≤ 1.0 × floor. Figures: the command as a user
 * runs it (fresh process to exit), with every chart drawn and with the charts
 * taken from the chart cache; a warm build in one process; and the steps of
 * each (module load included for a fresh process).
 *
 *   node --import tsx bench/report.ts [--runs N]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildTimings } from '../src/build.js';
import type { ChartCache } from '../src/charts/cache.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { measurePrintFloor } from './print-floor.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A fresh process's timings: the build's steps, the module load before them, and the build's wall time with the browser closed. */
type ColdTimings = BuildTimings & { moduleLoad: number; wall: number };

/** Runs a command to its end; its wall time in seconds and what it printed. */
function timeCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ seconds: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: PACKAGE_ROOT, env }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${args.join(' ')} failed: ${stderr}`));
      else resolve({ seconds: (performance.now() - started) / 1000, stdout });
    });
  });
}

export async function benchReportBuild(runs = 3): Promise<void> {
  // The compiled bundle (npm run bench builds it first), as the CLI loads it.
  const dist = (path: string) => new URL(`../dist/bundle/${path}`, import.meta.url).href;
  const [{ buildReport, formatOutputPath }, { openPrinter }, { createMemoryChartCache }] = await Promise.all([
    import(dist('build.js')) as Promise<typeof import('../src/build.js')>,
    import(dist('printer.js')) as Promise<typeof import('../src/print/printer.js')>,
    import(dist('chart-cache.js')) as Promise<typeof import('../src/charts/cache.js')>,
  ]);
  // The demo statistics, made once by the whole pipeline on the simulated data; the build starts from them.
  const { loadDemoStats } = (await import(dist('simulate.js'))) as typeof import('../src/simulate/index.js');
  const stats = await loadDemoStats({ clock: () => new Date('2022-01-14T00:00:00Z') });
  const work = await mkdtemp(join(tmpdir(), 'tsubame-bench-'));
  const statsPath = join(work, 'stats.json');
  await writeFile(statsPath, JSON.stringify(stats));
  // The commands' chart cache, for the "cached" runs.
  const cacheDir = join(work, 'chart-cache');
  const bin = join(PACKAGE_ROOT, 'bin', 'tsubame-report.js');
  const cold = join(PACKAGE_ROOT, 'bench', 'report-cold.mjs');

  // Fill the commands' chart cache once, so that every "cached" run below finds its charts there.
  await timeCommand([bin, 'build', '--stats', statsPath, '--out', join(work, 'fill')], { ...process.env, TSUBAME_CACHE_DIR: cacheDir });

  const builds: number[] = [];
  const cachedBuilds: number[] = [];
  const memoryCache = createMemoryChartCache();
  const floors: number[] = [];
  const figures = { drawn: [] as number[], cached: [] as number[] };
  const steps = { drawn: [] as ColdTimings[], cached: [] as ColdTimings[] };
  let warm: Record<string, number> = {};
  let warmCached: Record<string, number> = {};
  try {
    for (let run = 0; run <= runs; run++) {
      const dir = await mkdtemp(join(work, 'out-'));
      // Wall time until the build returns: files written and the browser closed, as the floor closes its browsers.
      const build = async (chartCache?: ChartCache) => {
        const started = performance.now();
        const result = await buildReport(
          { langs: ['ja', 'en'], formats: ['pdf', 'html'], outDir: dir },
          {
            log: () => undefined,
            warn: () => undefined,
            now: () => performance.now(),
            openPrinter,
            loadStats: async () => structuredClone(stats),
            chartCache,
          },
        );
        return { result, wall: (performance.now() - started) / 1000 };
      };
      const { result, wall } = await build();
      builds.push(wall);
      warm = { moduleLoad: 0, ...result.timings, wall };
      // The same build with the charts of the first run in memory, as the preview server rebuilds.
      const cached = await build(memoryCache);
      cachedBuilds.push(cached.wall);
      warmCached = { moduleLoad: 0, ...cached.result.timings, wall: cached.wall };
      const html = ['ja', 'en'].map((lang) => formatOutputPath(dir, result.quarter, lang, 'html'));
      floors.push((await measurePrintFloor(html)).seconds);
      if (run === runs) break;
      // What one command pays, fresh process to exit: every chart drawn (a quarter's first build),
      // then with the charts in the cache (a rebuild after editing text outside the charts).
      const env = { ...process.env, TSUBAME_CACHE_DIR: cacheDir };
      const args = ['build', '--stats', statsPath, '--out', dir];
      figures.drawn.push((await timeCommand([bin, ...args, '--no-cache'], env)).seconds);
      figures.cached.push((await timeCommand([bin, ...args], env)).seconds);
      // The same builds in a fresh process that reports its steps, module load included.
      steps.drawn.push(JSON.parse((await timeCommand([cold, statsPath, dir])).stdout) as ColdTimings);
      steps.cached.push(JSON.parse((await timeCommand([cold, statsPath, dir, cacheDir])).stdout) as ColdTimings);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const floor = median(floors);
  const list = (values: number[]) => values.map((v) => v.toFixed(2)).join(', ');
  const line = (label: string, values: number[], note: string) => {
    const value = median(values);
    console.log(`  ${label.padEnd(26)} ${value.toFixed(2)} s = ${(value / floor).toFixed(2)} × floor   (${note}; runs: ${list(values)})`);
  };
  const coldTotal = (t: ColdTimings) => t.moduleLoad + t.wall;
  const medianRun = (runs: ColdTimings[]) => [...runs].sort((a, b) => coldTotal(a) - coldTotal(b))[Math.floor(runs.length / 2)]!;
  console.log(`report build (demo statistics → ja, en × HTML + PDF); target ≤ 1.00 × floor`);
  console.log(`  ${'floor'.padEnd(26)} ${floor.toFixed(2)} s            (fresh browser per HTML file, print once; runs: ${list(floors)})`);
  line('command, charts drawn', figures.drawn, 'tsubame-report build --stats --no-cache, fresh process to exit');
  line('command, charts cached', figures.cached, 'the same with the chart cache filled: every rebuild of unchanged charts');
  line('cold build, charts drawn', steps.drawn.map(coldTotal), "fresh process: module load + build until it returns, browser closed; not node's own start-up");
  line('cold build, charts cached', steps.cached.map(coldTotal), 'the same with the chart cache filled');
  line('warm build, charts drawn', builds.slice(1), 'in one process after a first build');
  line('warm build, charts cached', cachedBuilds.slice(1), 'in one process, charts from memory');
  const columns: Record<string, Record<string, number>> = {
    'cold, drawn': { ...medianRun(steps.drawn) },
    'cold, cached': { ...medianRun(steps.cached) },
    'warm, drawn': warm,
    'warm, cached': warmCached,
  };
  console.log('  breakdown, seconds (steps overlap: the browser starts while statistics, charts and templating run;');
  console.log('  total ends with the files written, wall when the build returns with the browser closed)');
  console.log(`    ${'step'.padEnd(16)}${Object.keys(columns).map((c) => c.padStart(14)).join('')}`);
  for (const step of Object.keys(warm))
    console.log(`    ${step.padEnd(16)}${Object.values(columns).map((c) => (c[step] ?? 0).toFixed(2).padStart(14)).join('')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--runs');
  await benchReportBuild(at > 0 ? Number(process.argv[at + 1]) : 3);
}
