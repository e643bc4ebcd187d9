/**
 * The aggregation stage: store → `QuarterStats` for one quarter.
 *
 *   loadQuarterData(quarter) ─┐
 *   loadQuarterData(previous) ┴─▶ aggregateQuarter (pure) ─▶ parseQuarterStats (validate)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import type { QuarterStats } from '../stats/schema.js';
import { parseQuarterStats } from '../stats/validate.js';
import { loadQuarterData } from '../store/quarter.js';
import { queryRows, type Store } from '../store/store.js';
import { aggregateQuarter } from './aggregate.js';
import { DEFAULT_CONFIG, type QuarterConfig } from './config.js';
import { formatQuarterSpan, parseQuarter, previousQuarter } from './time.js';

const packageVersion = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Program and version, for provenance. */
export const GENERATOR = `tsubame-report ${packageVersion}`;

export interface QuarterStatsOptions {
  quarter: string;
  config?: QuarterConfig;
  /** When the statistics are made. */
  clock: () => Date;
  /** Receives warnings about the data (silent sensors, unknown previous ranks, …). */
  log: (line: string) => void;
}

/** Aggregates one quarter from the store; fails with NO_DATA when the quarter is empty. */
export async function loadQuarterStatsFromStore(store: Store, options: QuarterStatsOptions): Promise<QuarterStats> {
  const config = options.config ?? DEFAULT_CONFIG;
  const quarter = parseQuarter(options.quarter);
  if (config.quarter !== null && config.quarter !== options.quarter)
    throw new ReportError('QUARTER_MISMATCH', `The configuration is for ${config.quarter}, but the quarter asked for is ${options.quarter}.`, {
      hint: 'Pass the configuration file of the quarter you build, or fix its "quarter" key.',
    });
  const query = { homeCountry: config.homeCountry, focus: config.focus };
  const current = await loadQuarterData(store, { ...query, span: formatQuarterSpan(quarter, config.timeZone) });
  const hasDomestic = current.sensorDays.some((row) => row.inRange > 0 && current.sensors.find((s) => s.name === row.sensor)?.country === config.homeCountry);
  if (!hasDomestic)
    throw new ReportError('NO_DATA', `The store holds no packets from ${config.homeCountry} sensors in ${options.quarter} (${config.timeZone}).`);
  await checkHoneypotNames(store, config);
  const previous = await loadQuarterData(store, { ...query, span: formatQuarterSpan(previousQuarter(quarter), config.timeZone) });
  const { stats, warnings } = aggregateQuarter({ current, previous, config, generatedAt: options.clock(), generator: GENERATOR });
  checkFocusHasData(stats, config, options.quarter);
  for (const warning of warnings) options.log(`warning: ${warning}`);
  return parseQuarterStats(stats, `statistics for ${options.quarter}`);
}

/** A focus section must name a honeypot the store knows. */
async function checkHoneypotNames(store: Store, config: QuarterConfig): Promise<void> {
  if (!config.focus.some((f) => f.honeypot !== null)) return;
  const known = (await queryRows<{ name: string }>(store.connection, 'SELECT DISTINCT name FROM honeypot ORDER BY name')).map((r) => r.name);
  const problems = config.focus.flatMap((f, index) =>
    f.honeypot !== null && !known.includes(f.honeypot)
      ? [`focus[${index}].honeypot: no honeypot named "${f.honeypot}" in the store (known: ${known.length ? known.join(', ') : 'none'})`]
      : [],
  );
  if (problems.length > 0)
    throw new ReportError('CONFIG_INVALID', 'The configuration names a honeypot the store has no log for:', {
      details: problems,
      hint: 'Fix the name in the configuration, or ingest its log with `tsubame-report ingest-honeypot --name NAME FILE`.',
    });
}

/** A focus section must be about a port that received packets in the quarter. */
function checkFocusHasData(stats: QuarterStats, config: QuarterConfig, quarter: string): void {
  const problems = config.focus.flatMap((f, index) => {
    const section = stats.focus.find((s) => s.port === f.port && s.proto === f.proto);
    return section && section.packets > 0
      ? []
      : [`focus[${index}].port: ${f.port}/${f.proto} received no packets from the domestic sensors in ${quarter}`];
  });
  if (problems.length > 0)
    throw new ReportError('CONFIG_INVALID', 'The configuration names a focus port with no data:', {
      details: problems,
      hint: 'Check the port and protocol in the configuration, or remove the focus section.',
    });
}
