/**
 * The command line: each command is a thin parser over a runner. Errors are
 * printed here, once, as message + hint; a stack only with --debug.
 */
import { join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { BuildEffects, OutputFormat } from './build.js';
import type { QuarterStats } from './stats/schema.js';
import { exitCodeOf, formatError, ReportError } from './errors.js';
import { LANGUAGES } from './i18n/languages.js';
import { PACKAGE_ROOT } from './paths.js';
import { registerI18nCommand } from './commands/i18n.js';
import { registerIngestCommand } from './commands/ingest.js';
import { registerStatsCommand } from './commands/stats.js';
import { registerNewQuarterCommand, resolveQuarterConfigPath } from './commands/new-quarter.js';

function parseList<T extends string>(value: string, allowed: readonly T[], option: string): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !(allowed as readonly string[]).includes(i));
  if (items.length === 0 || bad.length > 0)
    throw new ReportError('BAD_ARGUMENT', `${option} ${value}: expected a comma-separated list of ${allowed.join(', ')}`);
  return [...new Set(items)] as T[];
}

function parseQuarter(value: string): string {
  if (!/^\d{4}Q[1-4]$/.test(value)) throw new ReportError('BAD_ARGUMENT', `--quarter ${value}: expected a quarter such as 2021Q4`);
  return value;
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

interface BuildCommandOptions {
  quarter?: string;
  stats?: string;
  store?: string;
  config?: string;
  lang: string;
  format: string;
  out: string;
  browser?: string;
  cache: boolean;
}

/**
 * Where `build` gets its statistics when not given --stats: the store when a
 * quarter, a store or a config is named; otherwise the bundled demo, which
 * simulates two quarters and runs them through the whole pipeline.
 */
async function loadBuildStats(
  opts: { store?: string; config?: string },
  quarter: string | undefined,
  log: (line: string) => void,
): Promise<QuarterStats> {
  const clock = () => new Date();
  if (quarter || opts.store || opts.config) {
    if (!quarter) throw new ReportError('BAD_ARGUMENT', '--store and --config need --quarter: which quarter should be aggregated?');
    const { runStats } = await import('./commands/stats.js');
    return (await runStats({ quarter, store: opts.store, config: opts.config }, { log, clock })).stats;
  }
  log('no input given: building the bundled demo quarter from simulated observation data');
  const { loadDemoStats } = await import('./simulate/index.js');
  return loadDemoStats({ clock, log });
}

/** --config, or else the quarter's own config under quarters/ when it exists. */
function resolveConfigPath(opts: { config?: string; quarter?: string }): string | undefined {
  return resolveQuarterConfigPath(PACKAGE_ROOT, opts.quarter, opts.config);
}

/** Where a report's statistics come from; build and preview take the same options. */
function addStatsSourceOptions(command: Command): Command {
  return command
    .option('--quarter <quarter>', 'the quarter, e.g. 2021Q4, aggregated from the store', parseQuarter)
    .option('--stats <file>', 'statistics JSON file instead (QuarterStats, see schema/quarter-stats.schema.json)')
    .option('--store <path>', 'the store to aggregate from (default: data/tsubame.duckdb)')
    .option('--config <file>', 'the quarter’s configuration (default: quarters/<quarter>.json when it exists)');
}

function registerBuildCommand(program: Command, io: Io): void {
  addStatsSourceOptions(
    program
      .command('build')
      .description('Build the quarterly report (PDF and HTML, Japanese and English). With no input, builds the bundled demo quarter.'),
  )
    .option('--lang <list>', `languages, from ${LANGUAGES.join(',')}`, LANGUAGES.join(','))
    .option('--format <list>', 'formats, from pdf,html', 'pdf,html')
    .option('--out <dir>', 'output directory', 'output')
    .addOption(new Option('--browser <path>', 'Chrome or Chromium binary for printing').env('PUPPETEER_EXECUTABLE_PATH'))
    .option('--no-cache', 'draw every chart, instead of reusing drawings of unchanged charts (kept under node_modules/.cache/tsubame-report, or TSUBAME_CACHE_DIR)')
    .action(async (opts: BuildCommandOptions) => {
      const langs = parseList(opts.lang, LANGUAGES, '--lang');
      const formats = parseList<OutputFormat>(opts.format, ['pdf', 'html'], '--format');
      const log = (line: string) => io.err(line);
      // The browser starts before the build's heavier modules load, so that its start-up overlaps theirs.
      const { openPrinter } = await import('./print/printer.js');
      const printer = formats.includes('pdf') ? openPrinter({ executablePath: opts.browser, log }) : undefined;
      printer?.catch(() => undefined);
      // The build closes the browser it is handed; one started early for a build that never begins is closed here.
      let handedOver = false;
      let result;
      try {
        const [{ buildReport }, { loadQuarterConfig }, { formatChartCacheRoot, loadChartCacheDir }] = await Promise.all([
          import('./build.js'),
          import('./aggregate/config.js'),
          import('./charts/cache.js'),
        ]);
        const config = resolveConfigPath(opts);
        const publication = config ? (await loadQuarterConfig(config)).publication : undefined;
        const effects: BuildEffects = {
          log,
          warn: (line) => io.err(`warning: ${line}`),
          now: () => performance.now(),
          openPrinter: (options) => {
            handedOver = true;
            return printer ?? openPrinter(options);
          },
          loadStats: (quarter) => loadBuildStats({ store: opts.store, config }, quarter, log),
          chartCache: opts.cache ? await loadChartCacheDir(formatChartCacheRoot()) : undefined,
        };
        result = await buildReport(
          { quarter: opts.quarter, statsPath: opts.stats, langs, formats, outDir: opts.out, browserPath: opts.browser, publication },
          effects,
        );
      } finally {
        if (printer && !handedOver) await printer.then((p) => p.close()).catch(() => undefined);
      }
      for (const file of result.files) io.out(file);
      io.err(`done in ${result.timings.total.toFixed(1)} s${result.browserVersion ? ` (${result.browserVersion})` : ''}`);
    });
}

function registerPreviewCommand(program: Command, io: Io): void {
  addStatsSourceOptions(program.command('preview'))
    .description('Serve the HTML report, Japanese and English side by side, on localhost; rebuild and reload on every change to locales, templates, chart specs, styles, config or statistics. Missing translations are highlighted.')
    .option('--port <port>', 'port on 127.0.0.1', (v) => {
      const port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ReportError('BAD_ARGUMENT', `--port ${v}: expected a port number`);
      return port;
    }, 8787)
    .action(async (opts: Omit<BuildCommandOptions, 'lang' | 'format' | 'out'> & { port: number }) => {
      const log = (line: string) => io.err(line);
      const [{ startPreview }, { loadQuarterStats }, { loadKeyDescriptions }, { loadQuarterConfig }] = await Promise.all([
        import('./preview/server.js'),
        import('./stats/load.js'),
        import('./i18n/check.js'),
        import('./aggregate/config.js'),
      ]);
      const describeKey = await loadKeyDescriptions(join(PACKAGE_ROOT, 'locales'));
      const config = resolveConfigPath(opts);
      const watchFiles = [opts.stats, config].filter((f): f is string => f !== undefined).map((f) => resolve(f));
      const server = await startPreview(
        { rootDir: PACKAGE_ROOT, port: opts.port, watchFiles, describeKey },
        {
          log,
          loadStats: () => (opts.stats ? loadQuarterStats(opts.stats) : loadBuildStats({ store: opts.store, config }, opts.quarter, log)),
          loadPublication: async () => (config ? (await loadQuarterConfig(config)).publication : undefined),
        },
      );
      io.out(`preview: ${server.url} (Ctrl-C to stop)`);
      await new Promise<void>((resolveStop) => process.once('SIGINT', () => resolveStop()));
      await server.close();
    });
}

/** Builds the program; commands register themselves here. */
export function createProgram(io: Io): Command {
  const program = new Command('tsubame-report')
    .description('Quarterly Internet-telescope report: packet logs → statistics → Japanese and English PDF and HTML.')
    .option('--debug', 'show stack traces on errors')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();
  registerBuildCommand(program, io);
  registerPreviewCommand(program, io);
  registerNewQuarterCommand(program);
  registerIngestCommand(program);
  registerStatsCommand(program);
  registerI18nCommand(program);
  return program;
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: readonly string[], io: Io = { out: console.log, err: console.error }): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.err(formatError(error, argv.includes('--debug')));
    return exitCodeOf(error);
  }
}
