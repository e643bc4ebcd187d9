/**
 * One cold report build in a fresh process, as the CLI runs it: loads the
 * compiled bundle, builds the statistics file given, and prints the timings
 * as JSON: module load, the build's steps, and its wall time until it
 * returns with the browser closed. With a cache folder, charts drawn before
 * come from it, as in the CLI; without, every chart is drawn. Plain
 * JavaScript, so that no TypeScript loader sits between the process and the
 * bundle it times.
 *
 *   node bench/report-cold.mjs <stats.json> <out dir> [<chart cache dir>]
 */
const started = performance.now();
const dist = (path) => new URL(`../dist/bundle/${path}`, import.meta.url).href;
// The CLI starts the browser as soon as the printer module is in, then loads the rest.
const { openPrinter } = await import(dist('printer.js'));
const printer = openPrinter({});
const [{ buildReport }, { loadChartCacheDir }] = await Promise.all([import(dist('build.js')), import(dist('chart-cache.js'))]);
const moduleLoad = (performance.now() - started) / 1000;
const [statsPath, outDir, cacheDir] = process.argv.slice(2);
const buildStarted = performance.now();
const result = await buildReport(
  { statsPath, langs: ['ja', 'en'], formats: ['pdf', 'html'], outDir },
  {
    log: () => {},
    warn: () => {},
    now: () => performance.now(),
    openPrinter: () => printer,
    loadStats: () => Promise.reject(new Error('no statistics')),
    chartCache: cacheDir ? await loadChartCacheDir(cacheDir) : undefined,
  },
);
// Until the build returns: its files written and the browser closed.
const wall = (performance.now() - buildStarted) / 1000;
console.log(JSON.stringify({ moduleLoad, wall, ...result.timings }));
