/**
 * Reads one quarter out of the store as `QuarterData`: integer counts grouped
 * by day, port and region. Local days are arithmetic on each packet's instant,
 * per day segment of the quarter (see aggregate/time.ts).
 */
import type { FocusConfig } from '../aggregate/config.js';
import type { QuarterData, SensorInfo } from '../aggregate/quarter-data.js';
import { formatDaySegments, type DaySegment, type QuarterSpan } from '../aggregate/time.js';
import { PROTO_CODES } from '../ingest/capture-types.js';
import { PROTO_NAMES } from '../ingest/fields.js';
import { queryColumns, queryRows, type Store } from './store.js';

export interface QuarterQuery {
  span: QuarterSpan;
  homeCountry: string;
  focus: readonly FocusConfig[];
}

/** Two-letter region of a stored region code (see store.ts). */
function formatRegion(code: number): string {
  return String.fromCharCode(65 + Math.floor(code / 26), 65 + (code % 26));
}

/** SQL: the index of the local day of the instant `ts` (within the segments' span). */
function formatDaySql(ts: string, segments: readonly DaySegment[]): string {
  const day = (s: DaySegment) => (s.regular ? `${s.firstDay} + CAST(floor((${ts} - ${s.startMs}) / 86400000) AS INTEGER)` : `${s.firstDay}`);
  if (segments.length === 1) return day(segments[0]!);
  const last = segments[segments.length - 1]!;
  return `CASE ${segments.slice(0, -1).map((s) => `WHEN ${ts} < ${s.endMs} THEN ${day(s)}`).join(' ')} ELSE ${day(last)} END`;
}

function dayIndexOf(date: string | null, days: string[], fallback: number): number {
  if (date === null) return fallback;
  // Dates before or after the quarter clip to just outside it.
  if (date < days[0]!) return -1;
  if (date > days[days.length - 1]!) return days.length;
  return days.indexOf(date);
}

/** Reads the quarter's counts. */
export async function loadQuarterData(store: Store, query: QuarterQuery): Promise<QuarterData> {
  const { span } = query;
  const c = store.connection;
  const sensorRows = await queryRows<{ id: number; name: string; country: string; active_from: string | null; active_to: string | null }>(
    c,
    'SELECT id, name, country, active_from, active_to FROM sensors ORDER BY name',
  );
  const sensors: SensorInfo[] = sensorRows.map((s) => ({
    name: s.name,
    country: s.country,
    ranged: s.active_from !== null || s.active_to !== null,
    activeFrom: s.active_from,
    activeTo: s.active_to,
  }));
  const last = span.days.length - 1;
  const rangeOf = new Map(sensorRows.map((s) => [s.id, [dayIndexOf(s.active_from, span.days, 0), dayIndexOf(s.active_to, span.days, last)] as const]));
  const range = { start: span.startMs, end: span.endMs };
  const quarterPackets = `
    SELECT ${formatDaySql('ts', formatDaySegments(span))} AS day, sensor, src, port, proto, region
    FROM packets WHERE ts >= $start AND ts < $end`;
  // Accepted: a domestic sensor on a day in its active range. The condition names the sensors
  // rather than joining a sensor table, which costs more per packet than the grouping itself.
  const domestic = sensorRows.filter((s) => s.country === query.homeCountry);
  const whole = domestic.filter((s) => rangeOf.get(s.id)![0] <= 0 && rangeOf.get(s.id)![1] >= last).map((s) => s.id);
  const ranged = domestic.filter((s) => !whole.includes(s.id));
  // Every packet's sensor is in the table (sensors are written before their packets and never
  // deleted), so when all of them qualify the condition is TRUE.
  const acceptedSql =
    whole.length === sensorRows.length
      ? 'TRUE'
      : [
          ...(whole.length > 0 ? [`sensor IN (${whole.join(', ')})`] : []),
          ...ranged.map((s) => `(sensor = ${s.id} AND day BETWEEN ${rangeOf.get(s.id)![0]} AND ${rangeOf.get(s.id)![1]})`),
        ].join(' OR ') || 'FALSE';
  const accepted = `SELECT * FROM (${quarterPackets}) WHERE ${acceptedSql}`;

  // Every packet by sensor and day; then one scan of the accepted packets by port and day,
  // region and day, region and port.
  const sensorName = new Map(sensorRows.map((s) => [s.id, s.name]));
  const bySensor = await queryColumns<{ sensor: number[]; day: number[]; packets: number[] }>(
    c,
    `SELECT sensor, day, CAST(count(*) AS INTEGER) AS packets FROM (${quarterPackets}) GROUP BY ALL ORDER BY sensor, day`,
    range,
  );
  const sensorDays: QuarterData['sensorDays'] = [];
  for (let i = 0; i < bySensor.sensor.length; i++) {
    const name = sensorName.get(bySensor.sensor[i]!);
    if (name === undefined) continue;
    const [from, to] = rangeOf.get(bySensor.sensor[i]!)!;
    const day = bySensor.day[i]!;
    sensorDays.push({ sensor: name, day, packets: bySensor.packets[i]!, inRange: day >= from && day <= to ? bySensor.packets[i]! : 0 });
  }
  const g = await queryColumns<{
    g: number[]; day: (number | null)[]; port: (number | null)[]; proto: (number | null)[]; region: (number | null)[]; accepted: number[];
  }>(
    c,
    `SELECT CAST(grouping(day, port, region) AS INTEGER) AS g, day, port, proto, region, CAST(count(*) AS INTEGER) AS accepted
     FROM (${accepted})
     GROUP BY GROUPING SETS ((port, proto, day), (region, day), (region, port, proto))
     ORDER BY g, region, port, proto, day`,
    range,
  );
  // grouping(): a set bit marks a column left out of the row's set (day, port, region).
  const byPortDay = 0b001;
  const byRegionDay = 0b010;
  const byRegionPort = 0b100;
  const portDaily: QuarterData['portDaily'] = [];
  const regionDaily: QuarterData['regionDaily'] = [];
  const regionMainPort: QuarterData['regionMainPort'] = [];
  const mainPacketsOf = new Map<number, number>();
  for (let i = 0; i < g.g.length; i++) {
    const set = g.g[i]!;
    if (set === byPortDay) portDaily.push({ port: g.port[i]!, proto: PROTO_NAMES[g.proto[i]!]!, day: g.day[i]!, packets: g.accepted[i]! });
    else if (set === byRegionDay) regionDaily.push({ region: formatRegion(g.region[i]!), day: g.day[i]!, packets: g.accepted[i]! });
    else if (set === byRegionPort) {
      // Rows come by region, then port and protocol: the first with the most packets wins ties.
      const region = g.region[i]!;
      const best = mainPacketsOf.get(region);
      if (best !== undefined && best >= g.accepted[i]!) continue;
      mainPacketsOf.set(region, g.accepted[i]!);
      const entry = { region: formatRegion(region), port: g.port[i]!, proto: PROTO_NAMES[g.proto[i]!]! };
      if (best === undefined) regionMainPort.push(entry);
      else regionMainPort[regionMainPort.length - 1] = entry;
    }
  }

  const focus: QuarterData['focus'] = [];
  for (const f of query.focus) {
    const params = { ...range, port: f.port, proto: PROTO_CODES[f.proto] };
    const toPort = `SELECT * FROM (${accepted}) WHERE port = $port AND proto = $proto`;
    const regionDailyFocus = (
      await queryRows<{ region: number; day: number; packets: number }>(
        c,
        `SELECT region, day, count(*) AS packets FROM (${toPort}) GROUP BY ALL ORDER BY region, day`,
        params,
      )
    ).map((r) => ({ region: formatRegion(r.region), day: r.day, packets: r.packets }));
    const sources = await queryRows<{ region: number | null; sources: number }>(
      c,
      `SELECT region, count(DISTINCT src) AS sources FROM (${toPort}) GROUP BY GROUPING SETS ((region), ()) ORDER BY region NULLS FIRST`,
      params,
    );
    const sourcesByRegion = sources.filter((r) => r.region !== null).map((r) => ({ region: formatRegion(r.region!), sources: r.sources }));
    const distinct = sources.find((r) => r.region === null)?.sources ?? 0;
    let honeypot: QuarterData['focus'][number]['honeypot'] = null;
    if (f.honeypot !== null) {
      const hp = await queryRows<{ sources: number; overlap: number }>(
        c,
        `WITH h AS (
           SELECT src FROM honeypot WHERE name = $name AND ts >= $start AND ts < $end
           GROUP BY src HAVING count(*) >= $threshold),
         t AS (SELECT DISTINCT src FROM (${toPort}))
         SELECT (SELECT count(*) FROM h) AS sources,
                (SELECT count(*) FROM h SEMI JOIN t ON h.src = t.src) AS overlap`,
        { ...params, name: f.honeypot, threshold: f.honeypotThreshold },
      );
      honeypot = { name: f.honeypot, threshold: f.honeypotThreshold, sources: hp[0]!.sources, overlap: hp[0]!.overlap };
    }
    focus.push({ port: f.port, proto: f.proto, regionDaily: regionDailyFocus, sourcesByRegion, distinctSources: distinct, honeypot });
  }

  const inputRows = await queryRows<{
    name: string; sha256: string; packets: number; fragment: number; non_ip: number; other: number; geoip_name: string | null; geoip_date: string | null;
  }>(
    c,
    `SELECT f.name, f.sha256, q.packets, f.skipped_fragment AS fragment, f.skipped_non_ip AS non_ip, f.skipped_other AS other,
            f.geoip_name, f.geoip_date
     FROM (SELECT file_id, count(*) AS packets FROM packets WHERE ts >= $start AND ts < $end GROUP BY file_id) q
     JOIN files f ON f.id = q.file_id ORDER BY f.name, f.sha256`,
    range,
  );
  const inputs = inputRows.map((r) => ({
    file: r.name,
    sha256: r.sha256,
    packets: r.packets,
    skipped: { fragment: r.fragment, nonIp: r.non_ip, otherProtocol: r.other },
  }));
  // The database that placed most of the quarter's packets names the provenance.
  const byGeo = new Map<string, { name: string; date: string; packets: number }>();
  for (const r of inputRows) {
    if (r.geoip_name === null || r.geoip_date === null) continue;
    const key = `${r.geoip_name}\u0000${r.geoip_date}`;
    const entry = byGeo.get(key) ?? { name: r.geoip_name, date: r.geoip_date, packets: 0 };
    entry.packets += r.packets;
    byGeo.set(key, entry);
  }
  const geo = [...byGeo.values()].sort((a, b) => b.packets - a.packets || (a.name + a.date < b.name + b.date ? -1 : 1))[0];
  return {
    quarter: span.quarter,
    timeZone: span.timeZone,
    days: span.days,
    sensors,
    sensorDays,
    portDaily,
    regionDaily,
    regionMainPort,
    focus,
    inputs,
    geoip: geo ? { name: geo.name, date: geo.date } : null,
  };
}
