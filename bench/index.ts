/**
 * `npm run bench [-- NAME…]`: the benchmarks, each printing its figures beside
 * a floor measured in the same run (these machines are shared and noisy, so
 * the ratio means more than the time). Names: report, capture, ingest.
 *
 * Each benchmark runs in a process of its own: the peak RSS a benchmark
 * reports is its process's high-water mark, which another benchmark run
 * before it in the same process would raise.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches: Record<string, () => Promise<void>> = {
  report: async () => (await import('./report.js')).benchReportBuild(3),
  capture: async () => (await import('./capture.js')).benchCaptureRead(),
  ingest: async () => (await import('./ingest.js')).benchIngest(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(benches);
const unknown = names.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark "${unknown[0]}"; choose from: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
if (names.length === 1) {
  console.log(`\n=== ${names[0]} ===`);
  await benches[names[0]!]!();
} else {
  for (const name of names) {
    const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), name], { stdio: 'inherit' });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}
