/**
 * The pure aggregation: `QuarterData` for a quarter (and its previous one) →
 * `QuarterStats`, following the definitions in DOMAIN.md:
 *
 * - domestic group: sensors whose country is the home country;
 * - active sensor-day: the manifest's inclusive range when given, otherwise a
 *   day with at least one accepted packet;
 * - daily value: the group's packets ÷ its active sensors (null without any);
 * - quarterly value: the mean of the non-null daily values;
 * - ranks down to 10, compared after rounding to 1e-9, ties by port then
 *   protocol (TCP < UDP < ICMP < ICMPv6), regions by code;
 * - growth: mean of the last window ÷ mean of the first window.
 *
 * Floating-point work happens here, in a fixed order, so that the same data
 * always gives the same bytes.
 */
import type {
  DailyPoint,
  FocusSection,
  MonthlyComparison,
  PreviousRank,
  Protocol,
  QuarterStats,
  RankedPort,
  RankedRegion,
  SensorChange,
} from '../stats/schema.js';
import { STATS_SCHEMA_VERSION } from '../stats/schema.js';
import type { QuarterConfig } from './config.js';
import type { FocusData, QuarterData } from './quarter-data.js';
import { formatServiceName, SERVICE_NAMES_SOURCE } from './services.js';

export interface AggregateInput {
  current: QuarterData;
  /** The previous quarter's data; "available" when its domestic group recorded packets. */
  previous: QuarterData;
  config: QuarterConfig;
  generatedAt: Date;
  generator: string;
}

export interface AggregateResult {
  stats: QuarterStats;
  /** Data anomalies to report: silent sensors, days without sensors, unknown previous ranks. */
  warnings: string[];
}

/** Ranks compute down to this depth; tables show fewer. */
export const RANK_DEPTH = 10;
/** Entries that carry a daily series. */
export const SERIES_DEPTH = 5;

const PROTO_ORDER: Record<Protocol, number> = { tcp: 0, udp: 1, icmp: 2, icmpv6: 3 };

const round9 = (value: number) => Math.round(value * 1e9) / 1e9;

/** Which sensors are active on which day, per group. */
interface Activity {
  /** Active domestic sensors per day. */
  domestic: number[];
  overseas: number[];
  /** Domestic packets per day (active days only). */
  domesticPackets: number[];
  overseasPackets: number[];
  /** Per sensor: active day indexes, sorted. */
  activeDays: Map<string, number[]>;
  outsideActive: number;
}

function aggregateActivity(data: QuarterData, homeCountry: string): Activity {
  const n = data.days.length;
  const activity: Activity = {
    domestic: new Array<number>(n).fill(0),
    overseas: new Array<number>(n).fill(0),
    domesticPackets: new Array<number>(n).fill(0),
    overseasPackets: new Array<number>(n).fill(0),
    activeDays: new Map(),
    outsideActive: 0,
  };
  const byName = new Map(data.sensors.map((s) => [s.name, s]));
  const recorded = new Map<string, Set<number>>();
  for (const row of data.sensorDays) {
    activity.outsideActive += row.packets - row.inRange;
    const sensor = byName.get(row.sensor);
    if (!sensor) continue;
    if (row.inRange > 0) {
      const days = recorded.get(row.sensor) ?? new Set<number>();
      days.add(row.day);
      recorded.set(row.sensor, days);
    }
    const packets = sensor.country === homeCountry ? activity.domesticPackets : activity.overseasPackets;
    packets[row.day]! += row.inRange;
  }
  for (const sensor of data.sensors) {
    let days: number[];
    if (sensor.ranged) {
      days = [];
      data.days.forEach((date, index) => {
        if ((sensor.activeFrom === null || date >= sensor.activeFrom) && (sensor.activeTo === null || date <= sensor.activeTo)) days.push(index);
      });
    } else days = [...(recorded.get(sensor.name) ?? [])].sort((a, b) => a - b);
    if (days.length === 0) continue;
    activity.activeDays.set(sensor.name, days);
    const counts = sensor.country === homeCountry ? activity.domestic : activity.overseas;
    for (const day of days) counts[day]!++;
  }
  return activity;
}

function formatSeries(days: string[], packets: readonly number[], sensors: readonly number[]): DailyPoint[] {
  return days.map((date, index) => {
    const s = sensors[index]!;
    const p = packets[index] ?? 0;
    return { date, value: s === 0 ? null : p / s, packets: p, sensors: s };
  });
}

function mean(values: readonly (number | null)[]): number | null {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (v === null) continue;
    sum += v;
    count++;
  }
  return count === 0 ? null : sum / count;
}

/** Mean of the non-null daily values; 0 when there are none. */
function aggregateValue(series: readonly DailyPoint[]): number {
  return mean(series.map((p) => p.value)) ?? 0;
}

/** Mean of the last window ÷ mean of the first; null when the first mean is 0 or unknown. */
export function aggregateGrowth(series: readonly DailyPoint[], windowDays: number): number | null {
  const first = mean(series.slice(0, windowDays).map((p) => p.value));
  const last = mean(series.slice(-windowDays).map((p) => p.value));
  if (first === null || first === 0 || last === null) return null;
  return last / first;
}

interface Keyed<K> {
  key: K;
  id: string;
  packetsByDay: number[];
}

function collect<K>(rows: readonly { day: number; packets: number }[], n: number, keyOf: (row: never) => { key: K; id: string }): Keyed<K>[] {
  const map = new Map<string, Keyed<K>>();
  for (const row of rows) {
    const { key, id } = keyOf(row as never);
    let entry = map.get(id);
    if (!entry) {
      entry = { key, id, packetsByDay: new Array<number>(n).fill(0) };
      map.set(id, entry);
    }
    entry.packetsByDay[row.day]! += row.packets;
  }
  return [...map.values()];
}

interface RankedEntry<K> extends Keyed<K> {
  series: DailyPoint[];
  value: number;
  packets: number;
}

function aggregateRanking<K>(entries: Keyed<K>[], days: string[], sensors: number[], compareKeys: (a: K, b: K) => number): RankedEntry<K>[] {
  return entries
    .map((entry) => {
      const series = formatSeries(days, entry.packetsByDay, sensors);
      return { ...entry, series, value: aggregateValue(series), packets: entry.packetsByDay.reduce((a, b) => a + b, 0) };
    })
    .sort((a, b) => round9(b.value) - round9(a.value) || compareKeys(a.key, b.key));
}

type PortKey = { port: number; proto: Protocol };
const comparePorts = (a: PortKey, b: PortKey) => a.port - b.port || PROTO_ORDER[a.proto] - PROTO_ORDER[b.proto];
const compareRegions = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const portId = (k: PortKey) => `${k.port}/${k.proto}`;

function rankPorts(data: QuarterData, activity: Activity) {
  const entries = collect<PortKey>(data.portDaily, data.days.length, (row: { port: number; proto: Protocol }) => ({
    key: { port: row.port, proto: row.proto },
    id: portId(row),
  }));
  return aggregateRanking(entries, data.days, activity.domestic, comparePorts);
}

function rankRegions(data: QuarterData, activity: Activity) {
  const entries = collect<string>(data.regionDaily, data.days.length, (row: { region: string }) => ({ key: row.region, id: row.region }));
  return aggregateRanking(entries, data.days, activity.domestic, compareRegions);
}

function previousRankOf(id: string, previous: RankedEntry<unknown>[] | null): PreviousRank {
  if (previous === null) return 'unknown';
  const index = previous.slice(0, RANK_DEPTH).findIndex((e) => e.id === id);
  return index < 0 ? 'outside' : index + 1;
}

/**
 * Changes in the domestic sensor set, with a warning for each. Besides
 * sensors that appear or fall silent within the quarter, a sensor silent for
 * the whole quarter is a change too: one active in the previous quarter is
 * silent from the first day. One the manifest holds active but that recorded
 * nothing keeps the changes its range implies (it is in the set by
 * definition, and counts in every day's denominator); a warning says so.
 */
function aggregateSensorChanges(
  data: QuarterData,
  activity: Activity,
  previousActivity: Activity,
  homeCountry: string,
): { changes: SensorChange[]; warnings: string[] } {
  const changes: SensorChange[] = [];
  const warnings: string[] = [];
  const last = data.days.length - 1;
  const recorded = new Set(data.sensorDays.filter((row) => row.inRange > 0).map((row) => row.sensor));
  for (const sensor of data.sensors) {
    if (sensor.country !== homeCountry) continue;
    const days = activity.activeDays.get(sensor.name);
    if (!days || days.length === 0) {
      if ((previousActivity.activeDays.get(sensor.name)?.length ?? 0) > 0) {
        changes.push({ sensor: sensor.name, kind: 'silent', date: data.days[0]! });
        warnings.push(`Sensor ${sensor.name} was active in the previous quarter but recorded nothing in ${data.quarter}.`);
      }
      continue;
    }
    // Its range is what the manifest says, so the set's changes stand; the silence is noted.
    if (sensor.ranged && !recorded.has(sensor.name))
      warnings.push(
        `Sensor ${sensor.name} is active by the manifest on ${days.length} day${days.length === 1 ? '' : 's'} of ${data.quarter} but recorded nothing; it still counts as an active sensor on those days, which lowers every per-sensor value.`,
      );
    if (days[0]! > 0) {
      changes.push({ sensor: sensor.name, kind: 'appeared', date: data.days[days[0]!]! });
      warnings.push(`Sensor ${sensor.name} appears on ${data.days[days[0]!]!}.`);
    }
    if (days[days.length - 1]! < last) {
      const date = data.days[days[days.length - 1]! + 1]!;
      changes.push({ sensor: sensor.name, kind: 'silent', date });
      warnings.push(`Sensor ${sensor.name} is silent from ${date}.`);
    }
  }
  const byDate = (a: SensorChange, b: SensorChange) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : a.sensor < b.sensor ? -1 : a.sensor > b.sensor ? 1 : 0;
  return { changes: changes.sort(byDate), warnings };
}

function aggregateMonthly(data: QuarterData, activity: Activity, homeCountry: string): MonthlyComparison | undefined {
  const overseas = data.sensors.filter((s) => s.country !== homeCountry && activity.activeDays.has(s.name));
  if (overseas.length === 0) return undefined;
  const domestic = formatSeries(data.days, activity.domesticPackets, activity.domestic);
  const abroad = formatSeries(data.days, activity.overseasPackets, activity.overseas);
  const months = [...new Set(data.days.map((d) => d.slice(0, 7)))];
  return {
    months: months.map((month) => ({
      month,
      domestic: mean(domestic.filter((p) => p.date.startsWith(month)).map((p) => p.value)),
      overseas: mean(abroad.filter((p) => p.date.startsWith(month)).map((p) => p.value)),
    })),
    overseasSensorCount: overseas.length,
  };
}

function aggregateFocus(
  focus: FocusData,
  previousFocus: FocusData | undefined,
  previousAvailable: boolean,
  ports: RankedEntry<PortKey>[],
  data: QuarterData,
  activity: Activity,
  windowDays: number,
): FocusSection {
  const id = portId(focus);
  const port = ports.find((p) => p.id === id);
  const daily = port?.series ?? formatSeries(data.days, [], activity.domestic);
  const packets = port?.packets ?? 0;
  const regions = collect<string>(focus.regionDaily, data.days.length, (row: { region: string }) => ({ key: row.region, id: row.region })).map((entry) => {
    const series = formatSeries(data.days, entry.packetsByDay, activity.domestic);
    return { region: entry.key, series, packets: entry.packetsByDay.reduce((a, b) => a + b, 0) };
  });
  regions.sort((a, b) => b.packets - a.packets || compareRegions(a.region, b.region));
  const previousSources = new Map((previousFocus?.sourcesByRegion ?? []).map((r) => [r.region, r.sources]));
  const previousDistinct = previousFocus?.distinctSources ?? 0;
  const sourceShares = [...focus.sourcesByRegion]
    .sort((a, b) => b.sources - a.sources || compareRegions(a.region, b.region))
    .map((r) => ({
      region: r.region,
      sources: r.sources,
      share: focus.distinctSources === 0 ? 0 : Math.min(1, r.sources / focus.distinctSources),
      previousShare: previousAvailable && previousDistinct > 0 ? Math.min(1, (previousSources.get(r.region) ?? 0) / previousDistinct) : null,
    }));
  const honeypot = focus.honeypot
    ? { ...focus.honeypot, share: focus.honeypot.sources === 0 ? null : focus.honeypot.overlap / focus.honeypot.sources }
    : null;
  return {
    id: `${focus.port}-${focus.proto}`,
    port: focus.port,
    proto: focus.proto,
    service: formatServiceName(focus.port, focus.proto),
    packets,
    value: aggregateValue(daily),
    growth: aggregateGrowth(daily, windowDays),
    daily,
    regionShares: regions.map((r) => ({
      region: r.region,
      packets: r.packets,
      share: packets === 0 ? 0 : r.packets / packets,
      growth: aggregateGrowth(r.series, windowDays),
    })),
    regionSeries: regions.slice(0, SERIES_DEPTH).map((r) => ({ region: r.region, daily: r.series })),
    sourceShares,
    distinctSources: { current: focus.distinctSources, previous: previousAvailable ? previousDistinct : null },
    honeypot,
  };
}

/** Computes one quarter's statistics from its data and its previous quarter's. */
export function aggregateQuarter(input: AggregateInput): AggregateResult {
  const { current, previous, config } = input;
  const warnings: string[] = [];
  const home = config.homeCountry;
  const window = config.growthWindowDays;
  const activity = aggregateActivity(current, home);
  const previousActivity = aggregateActivity(previous, home);
  const previousAvailable = previousActivity.domesticPackets.some((p) => p > 0);
  if (!previousAvailable) warnings.push(`No data for the previous quarter ${previous.quarter}: previous ranks are unknown.`);

  const ports = rankPorts(current, activity);
  const regions = rankRegions(current, activity);
  const previousPorts = previousAvailable ? rankPorts(previous, previousActivity) : null;
  const previousRegions = previousAvailable ? rankRegions(previous, previousActivity) : null;
  const mainPorts = new Map(current.regionMainPort.map((r) => [r.region, { port: r.port, proto: r.proto }]));

  const rankedPorts: RankedPort[] = ports.slice(0, RANK_DEPTH).map((entry, index) => ({
    port: entry.key.port,
    proto: entry.key.proto,
    service: formatServiceName(entry.key.port, entry.key.proto),
    rank: index + 1,
    value: entry.value,
    packets: entry.packets,
    previousRank: previousRankOf(entry.id, previousPorts),
    growth: aggregateGrowth(entry.series, window),
    ...(index < SERIES_DEPTH ? { daily: entry.series } : {}),
  }));
  const rankedRegions: RankedRegion[] = regions.slice(0, RANK_DEPTH).map((entry, index) => {
    const mainPort = mainPorts.get(entry.key);
    return {
      region: entry.key,
      rank: index + 1,
      value: entry.value,
      packets: entry.packets,
      previousRank: previousRankOf(entry.id, previousRegions),
      growth: aggregateGrowth(entry.series, window),
      ...(index < SERIES_DEPTH ? { daily: entry.series } : {}),
      ...(mainPort ? { mainPort } : {}),
    };
  });

  const focus = current.focus.map((f) =>
    aggregateFocus(
      f,
      previous.focus.find((p) => p.port === f.port && p.proto === f.proto),
      previousAvailable,
      ports,
      current,
      activity,
      window,
    ),
  );

  const { changes: sensorChanges, warnings: sensorWarnings } = aggregateSensorChanges(current, activity, previousActivity, home);
  warnings.push(...sensorWarnings);
  const emptyDays = current.days.filter((_, index) => activity.domestic[index] === 0);
  if (emptyDays.length > 0)
    warnings.push(`${emptyDays.length} day${emptyDays.length === 1 ? '' : 's'} without any active domestic sensor (no value): ${emptyDays.slice(0, 5).join(', ')}${emptyDays.length > 5 ? ', …' : ''}.`);
  if (activity.outsideActive > 0)
    warnings.push(`${activity.outsideActive} packets fell on days outside their sensor's active range and were excluded.`);

  const skipped = { fragment: 0, nonIp: 0, otherProtocol: 0 };
  for (const file of current.inputs) {
    skipped.fragment += file.skipped.fragment;
    skipped.nonIp += file.skipped.nonIp;
    skipped.otherProtocol += file.skipped.otherProtocol;
  }
  const domesticSensors = current.sensors.filter((s) => s.country === home && activity.activeDays.has(s.name)).length;
  const domesticOverseas = aggregateMonthly(current, activity, home);

  const stats: QuarterStats = {
    schemaVersion: STATS_SCHEMA_VERSION,
    quarter: current.quarter,
    period: { start: current.days[0]!, end: current.days[current.days.length - 1]!, timeZone: current.timeZone },
    previousQuarter: { quarter: previous.quarter, available: previousAvailable },
    group: { country: home, sensorCount: domesticSensors, sensorChanges },
    metric: { id: 'packets_per_sensor_per_day', growthWindowDays: window },
    ports: rankedPorts,
    regions: rankedRegions,
    focus,
    ...(domesticOverseas ? { domesticOverseas } : {}),
    provenance: {
      generatedAt: input.generatedAt.toISOString(),
      generator: input.generator,
      geoip: current.geoip ?? { name: 'none', date: '1970-01-01' },
      serviceNames: SERVICE_NAMES_SOURCE,
      inputs: current.inputs.map((f) => ({ file: f.file, sha256: f.sha256, packets: f.packets })),
      skipped: { ...skipped, outsideActive: activity.outsideActive },
    },
  };
  return { stats, warnings };
}
