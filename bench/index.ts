/**
 * `npm run bench [-- NAME…]`: the benchmarks, each printing its figures beside
 * a floor measured in the same run (these machines are shared and noisy, so
 * the ratio means more than the time). Names: report, capture, ingest.
 */
import { benchCaptureRead } from './capture.js';
import { benchIngest } from './ingest.js';
import { benchReportBuild } from './report.js';

const benches: Record<string, () => Promise<void>> = {
  report: () => benchReportBuild(3),
  capture: () => benchCaptureRead(),
  ingest: () => benchIngest(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(benches);
for (const name of names) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; choose from: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== ${name} ===`);
  await bench();
}
