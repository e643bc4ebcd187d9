/**
 * `tsubame-report stats`: aggregate one quarter from the store into a
 * QuarterStats JSON file (or stdout).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadQuarterConfig } from '../aggregate/config.js';
import { parseQuarter } from '../aggregate/time.js';
import { ReportError } from '../errors.js';
import { writeOutputsAtomically } from '../output/write.js';
import { DEFAULT_STORE_PATH, PACKAGE_ROOT } from '../paths.js';
import { resolveQuarterConfigPath } from './new-quarter.js';
import type { QuarterStats } from '../stats/schema.js';

export interface StatsCommandOptions {
  quarter: string;
  store?: string;
  config?: string;
  /** Output file; none means the caller prints the JSON. */
  out?: string;
}

export interface StatsEffects {
  log(line: string): void;
  clock(): Date;
}

export interface StatsResult {
  stats: QuarterStats;
  json: string;
  written?: string;
}

/** Aggregates the quarter from the store; writes the JSON atomically when `out` is given. */
export async function runStats(options: StatsCommandOptions, effects: StatsEffects): Promise<StatsResult> {
  parseQuarter(options.quarter);
  // The store (DuckDB) loads only when a command needs it, so that other commands start fast.
  const [{ loadQuarterStatsFromStore }, { MEMORY_STORE, openStore }] = await Promise.all([
    import('../aggregate/index.js'),
    import('../store/store.js'),
  ]);
  const path = options.store ?? DEFAULT_STORE_PATH;
  if (path !== MEMORY_STORE && !existsSync(path))
    throw new ReportError('NO_DATA', `There is no store at ${path}.`, { hint: 'Ingest packet logs first with `tsubame-report ingest`, or pass --store PATH.' });
  const config = options.config ? await loadQuarterConfig(options.config) : undefined;
  if (!config) effects.log('no --config: the statistics have no focus sections');
  const store = await openStore(path);
  let stats: QuarterStats;
  try {
    stats = await loadQuarterStatsFromStore(store, { quarter: options.quarter, config, clock: () => effects.clock(), log: effects.log });
  } finally {
    store.close();
  }
  const json = `${JSON.stringify(stats, null, 2)}\n`;
  if (!options.out) return { stats, json };
  await writeOutputsAtomically([{ path: options.out, data: json }]);
  return { stats, json, written: options.out };
}

export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('Aggregate one quarter from the store into statistics JSON (QuarterStats).')
    .requiredOption('--quarter <quarter>', 'quarter, e.g. 2021Q4')
    .option('--store <path>', 'DuckDB store', DEFAULT_STORE_PATH)
    .option('--config <file>', 'per-quarter configuration (focus ports, honeypots, N; default: quarters/<quarter>.json when it exists)')
    .option('--out <file>', 'write the statistics here instead of stdout')
    .action(async (opts: StatsCommandOptions) => {
      const config = resolveQuarterConfigPath(PACKAGE_ROOT, opts.quarter, opts.config);
      const result = await runStats({ ...opts, config }, { log: (line) => console.error(line), clock: () => new Date() });
      if (result.written) console.error(`wrote ${result.written}`);
      else process.stdout.write(result.json);
    });
}
