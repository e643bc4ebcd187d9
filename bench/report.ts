/**
 * Benchmark: the whole report build (the demo's statistics → 2 languages × HTML + PDF)
 * against a floor measured in the same run: for each finished HTML file, a
 * fresh browser with the same binary and options prints it once with the same
 * pdf() options. Target: build ≤ 1.0 × floor. Three figures: the command as
 * a user runs it (fresh process to exit), a cold build (module load + first
 * build in a fresh process, with its steps), and a warm build (in one process
 * after a first build).
 *
 *   node --import tsx bench/report.ts [--runs N]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildTimings } from '../src/build.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { measurePrintFloor } from './print-floor.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A fresh process's timings: the build's steps and the module load before them. */
type ColdTimings = BuildTimings & { moduleLoad: number };

/** Runs a command to its end; its wall time in seconds and what it printed. */
function timeCommand(args: string[]): Promise<{ seconds: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: PACKAGE_ROOT }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${args.join(' ')} failed: ${stderr}`));
      else resolve({ seconds: (performance.now() - started) / 1000, stdout });
    });
  });
}

export async function benchReportBuild(runs = 3): Promise<void> {
  // The compiled bundle (npm run bench builds it first), as the CLI loads it.
  const dist = (path: string) => new URL(`../dist/bundle/${path}`, import.meta.url).href;
  const [{ buildReport, formatOutputPath }, { openPrinter }] = await Promise.all([
    import(dist('build.js')) as Promise<typeof import('../src/build.js')>,
    import(dist('printer.js')) as Promise<typeof import('../src/print/printer.js')>,
  ]);
  // The demo statistics, made once by the whole pipeline on the simulated data; the build starts from them.
  const { loadDemoStats } = (await import(dist('simulate.js'))) as typeof import('../src/simulate/index.js');
  const stats = await loadDemoStats({ clock: () => new Date('2022-01-14T00:00:00Z') });
  const work = await mkdtemp(join(tmpdir(), 'tsubame-bench-'));
  const statsPath = join(work, 'stats.json');
  await writeFile(statsPath, JSON.stringify(stats));

  const builds: number[] = [];
  const floors: number[] = [];
  const cli: number[] = [];
  const cold: ColdTimings[] = [];
  let breakdown: Record<string, number> = {};
  try {
    for (let run = 0; run <= runs; run++) {
      const dir = await mkdtemp(join(work, 'out-'));
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
      if (run === runs) break;
      // What one command pays: a fresh process, from start to exit, as a user runs it.
      cli.push((await timeCommand([join(PACKAGE_ROOT, 'bin', 'tsubame-report.js'), 'build', '--stats', statsPath, '--out', dir])).seconds);
      // The same in a fresh process that reports its own steps, module load included.
      const child = await timeCommand([join(PACKAGE_ROOT, 'bench', 'report-cold.mjs'), statsPath, dir]);
      cold.push(JSON.parse(child.stdout) as ColdTimings);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  // The first in-process build pays for warming up (fonts opened, chart code JIT-compiled).
  const build = median(builds.slice(1));
  const floor = median(floors);
  const command = median(cli);
  const coldTotal = (t: ColdTimings) => t.moduleLoad + t.total;
  const coldRun = [...cold].sort((a, b) => coldTotal(a) - coldTotal(b))[Math.floor(cold.length / 2)]!;
  const list = (values: number[]) => values.map((v) => v.toFixed(2)).join(', ');
  console.log(`report build (demo statistics → ja, en × HTML + PDF)`);
  console.log(`  floor            ${floor.toFixed(2)} s   (fresh browser per HTML file, print once; runs: ${list(floors)})`);
  console.log(`  command          ${command.toFixed(2)} s = ${(command / floor).toFixed(2)} × floor   (tsubame-report build --stats, fresh process to exit; runs: ${list(cli)})`);
  console.log(`  cold build       ${coldTotal(coldRun).toFixed(2)} s = ${(coldTotal(coldRun) / floor).toFixed(2)} × floor   (module load + first build in a fresh process; median of ${cold.length})`);
  console.log(`  warm build       ${build.toFixed(2)} s = ${(build / floor).toFixed(2)} × floor   (in one process after a first build; runs: ${list(builds)})   target ≤ 1.00`);
  console.log('  breakdown (steps overlap: the browser starts while statistics, charts and templating run)');
  console.log(`    ${'step'.padEnd(16)} ${'cold'.padStart(7)} ${'warm'.padStart(7)}`);
  for (const step of ['moduleLoad', ...Object.keys(breakdown)])
    console.log(
      `    ${step.padEnd(16)} ${(coldRun as unknown as Record<string, number>)[step]!.toFixed(2).padStart(7)} ${(breakdown[step] ?? 0).toFixed(2).padStart(7)}`,
    );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--runs');
  await benchReportBuild(at > 0 ? Number(process.argv[at + 1]) : 3);
}
