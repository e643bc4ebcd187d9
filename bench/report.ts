/**
 * Benchmark: the whole report build (the demo's statistics → 2 languages × HTML + PDF)
 * against a floor measured in the same run: for each finished HTML file, a
 * fresh browser with the same binary and options prints it once with the same
 * pdf() options. Target: build ≤ 1.0 × floor.
 *
 *   node --import tsx bench/report.ts [--runs N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measurePrintFloor } from './print-floor.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchReportBuild(runs = 3): Promise<void> {
  // Module load is part of what a user waits for: time the first import of the build's modules.
  const loadStart = performance.now();
  // The compiled bundle (npm run bench builds it first), as the CLI loads it.
  const dist = (path: string) => new URL(`../dist/bundle/${path}`, import.meta.url).href;
  const [{ buildReport, formatOutputPath }, { openPrinter }] = await Promise.all([
    import(dist('build.js')) as Promise<typeof import('../src/build.js')>,
    import(dist('printer.js')) as Promise<typeof import('../src/print/printer.js')>,
  ]);
  const moduleLoad = (performance.now() - loadStart) / 1000;
  // The demo statistics, made once by the whole pipeline on the simulated data; the build starts from them.
  const { loadDemoStats } = (await import(dist('simulate.js'))) as typeof import('../src/simulate/index.js');
  const stats = await loadDemoStats({ clock: () => new Date('2022-01-14T00:00:00Z') });

  const builds: number[] = [];
  const floors: number[] = [];
  let breakdown: Record<string, number> = {};
  for (let run = 0; run <= runs; run++) {
    const dir = await mkdtemp(join(tmpdir(), 'tsubame-bench-'));
    try {
      const result = await buildReport(
        { langs: ['ja', 'en'], formats: ['pdf', 'html'], outDir: dir },
        {
          log: () => undefined,
          warn: () => undefined,
          now: () => performance.now(),
          openPrinter,
          loadStats: async () => structuredClone(stats),
        },
      );
      builds.push(result.timings.total);
      breakdown = { ...result.timings };
      const html = ['ja', 'en'].map((lang) => formatOutputPath(dir, result.quarter, lang, 'html'));
      floors.push((await measurePrintFloor(html)).seconds);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  // The first build pays for warming up (fonts opened, chart compilers JIT-compiled); it is reported as "cold".
  const build = median(builds.length > 1 ? builds.slice(1) : builds);
  const floor = median(floors);
  console.log(`report build (demo statistics → ja, en × HTML + PDF), median of ${runs} runs after the first`);
  console.log(`  build            ${build.toFixed(2)} s   (runs: ${builds.map((b) => b.toFixed(2)).join(', ')})`);
  console.log(`  floor            ${floor.toFixed(2)} s   (fresh browser per HTML file, print once; runs: ${floors.map((f) => f.toFixed(2)).join(', ')})`);
  console.log(`  ratio            ${(build / floor).toFixed(2)} × floor   (target ≤ 1.00)`);
  const cold = moduleLoad + builds[0]!;
  console.log(
    `  cold             ${cold.toFixed(2)} s = module load ${moduleLoad.toFixed(2)} s + first build ${builds[0]!.toFixed(2)} s   (${(cold / floor).toFixed(2)} × floor; what one CLI run pays)`,
  );
  console.log('  breakdown of the last build (browser start overlaps statistics, charts and templating):');
  console.log(`    module load      ${moduleLoad.toFixed(2)} s (first import, not in the build total)`);
  for (const [step, seconds] of Object.entries(breakdown)) console.log(`    ${step.padEnd(16)} ${seconds.toFixed(2)} s`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--runs');
  await benchReportBuild(at > 0 ? Number(process.argv[at + 1]) : 3);
}
