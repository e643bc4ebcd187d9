/**
 * The fast path for canonical packet CSV (`ts,sensor,src_ip,dst_port,proto`):
 * DuckDB's own CSV reader parses the file, the checks of rows.ts/fields.ts
 * run as SQL over a compact staging table, and only the distinct source
 * addresses come back to JavaScript to be geolocated.
 *
 *   read_csv (all text; broken rows → reject table, with line numbers)
 *     ─▶ csv_stage: parsed ts, sensor id, IPv4 key, port, proto, reason code
 *     ─▶ distinct sources ─▶ geolocated in JS ─▶ csv_regions / csv_texts
 *     ─▶ INSERT INTO packets … JOIN regions WHERE the row is valid
 *
 * Rejected rows keep the JS readers' reasons. Line numbers come from
 * DuckDB's reject table for broken rows and, for rows refused by a check,
 * from the row's position in the staging table (insertion order is kept),
 * mapped to its line by one scan of the file, done only when there are any.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { UBIGINT, USMALLINT, VARCHAR } from '@duckdb/node-api';
import { queryRows, type Store } from '../store/store.js';
import { writeColumns } from './sink.js';
import { unpackKey, unpackRegion, type SourceKeys } from './sources.js';

/** What the CSV fast path reports back for a file's summary. */
export interface CsvLoadResult {
  read: number;
  accepted: number;
  rejected: number;
  /** The first `listed` rejected rows, by line. */
  problems: { line: number; reason: string }[];
}

export interface CsvLoadInput {
  file: string;
  gzip: boolean;
  /** Header names (lower-cased, trimmed) → column index. */
  header: Map<string, number>;
  fileId: number;
  sensorsByName: Map<string, number>;
  fixedSensor: number | null;
  sources: SourceKeys;
  listed: number;
}

/** Whether a CSV header can take the fast path: it names every field the checks need and no dst_ip. */
export function parseCsvFastPath(header: Map<string, number>): boolean {
  return ['ts', 'src_ip', 'dst_port', 'proto'].every((c) => header.has(c)) && !header.has('dst_ip');
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

const REASON = { ts: 1, proto: 2, port: 3, missingSrc: 4, unknownSensor: 5, noSensor: 6 } as const;

/** SQL: the parts of an ISO-8601 timestamp in the trimmed text `t` (all '' when it is none). */
function formatIsoPartsSql(t: string): string {
  return `regexp_extract(${t}, '^(\\d{4})-(\\d{2})-(\\d{2})[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?\\s*(Z|z|[+-]\\d{2}(?::?\\d{2})?)?$', ['y','mo','d','h','mi','s','f','z'])`;
}

/**
 * SQL: epoch milliseconds as parseTimestamp computes them (same checks, same
 * floating-point steps), from the text `t` and its ISO parts `m`; NULL when
 * it is no timestamp.
 */
function formatTimestampSql(t: string, m: string): string {
  const int = (part: string) => `CAST(${m}.${part} AS INTEGER)`;
  const zoneMinutes = `coalesce(TRY_CAST(replace(${m}.z[2:], ':', '')[3:] AS INTEGER), 0)`;
  const fromIso = `CASE
      WHEN ${m}.y = '' OR ${m}.z = '' THEN NULL
      WHEN ${int('mo')} NOT BETWEEN 1 AND 12 OR ${int('d')} < 1
        OR ${int('d')} > day(last_day(make_date(${int('y')}, ${int('mo')}, 1)))
        OR ${int('h')} > 23 OR ${int('mi')} > 59 OR coalesce(TRY_CAST(${m}.s AS INTEGER), 0) > 59 THEN NULL
      WHEN ${m}.z NOT IN ('Z', 'z') AND (CAST(${m}.z[2:3] AS INTEGER) > 23 OR ${zoneMinutes} > 59) THEN NULL
      ELSE CAST(epoch_ms(make_date(${int('y')}, ${int('mo')}, ${int('d')}))
                + CAST(${m}.h AS BIGINT) * 3600000 + CAST(${m}.mi AS BIGINT) * 60000 + coalesce(TRY_CAST(${m}.s AS BIGINT), 0) * 1000 AS DOUBLE)
           + CASE WHEN ${m}.f = '' THEN 0 ELSE CAST('0.' || ${m}.f AS DOUBLE) * 1000 END
           - CASE WHEN ${m}.z IN ('Z', 'z') THEN 0
                  ELSE (CASE WHEN ${m}.z[1] = '-' THEN -1 ELSE 1 END) * (CAST(${m}.z[2:3] AS INTEGER) * 60 + ${zoneMinutes}) END * 60000
    END`;
  return `CASE WHEN ${m} IS NULL THEN CASE WHEN isfinite(TRY_CAST(${t} AS DOUBLE) * 1000) THEN TRY_CAST(${t} AS DOUBLE) * 1000 END ELSE ${fromIso} END`;
}

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** Loads one canonical CSV packet file into `packets` (inside the caller's transaction). */
export async function readCsvIntoStore(store: Store, input: CsvLoadInput): Promise<CsvLoadResult> {
  const c = store.connection;
  const width = Math.max(...input.header.values()) + 1;
  const col = (name: string) => (input.header.has(name) ? `c${input.header.get(name)}` : null);
  const columns = Array.from({ length: width }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  for (const table of ['csv_stage', 'csv_rejects', 'csv_reject_scans', 'csv_regions', 'csv_texts']) await c.run(`DROP TABLE IF EXISTS ${table}`);

  const sensorCase =
    input.sensorsByName.size === 0
      ? 'NULL'
      : `CASE sensor ${[...input.sensorsByName].map(([name, id]) => `WHEN ${quote(name)} THEN ${id}`).join(' ')} END`;
  const sensorCol = col('sensor');
  const fixed = input.fixedSensor === null ? 'NULL' : String(input.fixedSensor);
  await c.run(`
    CREATE TEMP TABLE csv_stage AS
    WITH raw AS (
      SELECT trim(${col('ts')}) AS t, ${sensorCol ? `coalesce(trim(${sensorCol}), '')` : "''"} AS sensor,
             coalesce(trim(${col('src_ip')}), '') AS src, trim(${col('dst_port')}) AS port, lower(trim(${col('proto')})) AS proto_text
      FROM read_csv(${quote(input.file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                    columns = {${columns}}, compression = ${input.gzip ? "'gzip'" : "'none'"},
                    store_rejects = true, rejects_table = 'csv_rejects', rejects_scan = 'csv_reject_scans')),
    split AS (
      SELECT *, CASE WHEN NOT regexp_full_match(t, '-?\\d+(\\.\\d+)?') THEN ${formatIsoPartsSql('t')} END AS m FROM raw),
    parsed AS (
      SELECT *, ${formatTimestampSql('t', 'm')} AS ts_ms,
             CASE proto_text WHEN 'tcp' THEN 0 WHEN 'udp' THEN 1 WHEN 'icmp' THEN 2 WHEN 'icmpv6' THEN 3 END AS proto,
             CASE WHEN regexp_full_match(port, '\\d{1,5}') AND CAST(port AS INTEGER) <= 65535 THEN CAST(port AS USMALLINT) END AS port_num,
             CASE WHEN sensor = '' THEN ${fixed} ELSE ${sensorCase} END AS sensor_id,
             regexp_full_match(src, '${IPV4_OCTET}(\\.${IPV4_OCTET}){3}') AS is_v4
      FROM split),
    checked AS (
      SELECT *, CASE
          WHEN ts_ms IS NULL THEN ${REASON.ts}
          WHEN proto IS NULL THEN ${REASON.proto}
          WHEN port_num IS NULL THEN ${REASON.port}
          WHEN src = '' THEN ${REASON.missingSrc}
          WHEN sensor_id IS NULL AND sensor <> '' THEN ${REASON.unknownSensor}
          WHEN sensor_id IS NULL THEN ${REASON.noSensor}
          ELSE 0 END AS reason
      FROM parsed)
    SELECT ts_ms AS ts, CAST(sensor_id AS USMALLINT) AS sensor, CAST(port_num AS USMALLINT) AS port, CAST(proto AS UTINYINT) AS proto,
           CASE WHEN is_v4 THEN CAST(split_part(src, '.', 1) AS UBIGINT) * 16777216 + CAST(split_part(src, '.', 2) AS UBIGINT) * 65536
                              + CAST(split_part(src, '.', 3) AS UBIGINT) * 256 + CAST(split_part(src, '.', 4) AS UBIGINT) END AS src_key,
           CASE WHEN NOT is_v4 AND reason = 0 THEN src END AS src_text,
           CAST(reason AS UTINYINT) AS reason,
           CASE reason WHEN ${REASON.ts} THEN t WHEN ${REASON.proto} THEN proto_text WHEN ${REASON.port} THEN port
                       WHEN ${REASON.unknownSensor} THEN sensor END AS bad_value
    FROM checked`);

  // Geolocate each distinct source once: IPv4 by key, anything else by its text.
  const keys = await queryRows<{ k: number }>(c, 'SELECT DISTINCT src_key AS k FROM csv_stage WHERE reason = 0 AND src_key IS NOT NULL');
  const keyColumn = new Uint32Array(keys.length * 2);
  const regionColumn = new Uint16Array(keys.length);
  keys.forEach((row, i) => {
    keyColumn[2 * i] = row.k;
    regionColumn[i] = unpackRegion(input.sources.resolveIPv4Key(row.k));
  });
  await c.run('CREATE TEMP TABLE csv_regions (k UBIGINT, region USMALLINT)');
  writeColumns(await c.createAppender('csv_regions'), [UBIGINT, USMALLINT], [keyColumn, regionColumn], keys.length);
  const texts = await queryRows<{ text: string }>(c, 'SELECT DISTINCT src_text AS text FROM csv_stage WHERE src_text IS NOT NULL');
  await c.run('CREATE TEMP TABLE csv_texts (text VARCHAR, k UBIGINT, region USMALLINT)');
  if (texts.length > 0) {
    const appender = await c.createAppender('csv_texts');
    for (const { text } of texts) {
      const packed = input.sources.resolve(text);
      appender.appendValue(text, VARCHAR);
      if (packed < 0) {
        appender.appendNull();
        appender.appendNull();
      } else {
        appender.appendValue(BigInt(unpackKey(packed)), UBIGINT);
        appender.appendValue(unpackRegion(packed), USMALLINT);
      }
      appender.endRow();
    }
    appender.flushSync();
    appender.closeSync();
  }

  const inserted = await queryRows<{ Count: number }>(
    c,
    `INSERT INTO packets
     SELECT s.ts, s.sensor, coalesce(s.src_key, t.k), s.port, s.proto, coalesce(r.region, t.region), ${input.fileId}
     FROM csv_stage s LEFT JOIN csv_regions r ON r.k = s.src_key LEFT JOIN csv_texts t ON t.text = s.src_text
     WHERE s.reason = 0 AND coalesce(s.src_key, t.k) IS NOT NULL`,
  );
  const accepted = inserted[0]!.Count;
  const counts = await queryRows<{ staged: number; broken: number }>(
    c,
    `SELECT (SELECT count(*) FROM csv_stage) AS staged, (SELECT count(DISTINCT line) FROM csv_rejects) AS broken`,
  );
  const { staged, broken } = counts[0]!;
  const result: CsvLoadResult = { read: staged + broken, accepted, rejected: staged - accepted + broken, problems: [] };
  if (result.rejected === 0) return result;

  const brokenRows = await queryRows<{ line: number; error_type: string; error_message: string }>(
    c,
    `SELECT line, error_type, error_message FROM csv_rejects
     QUALIFY row_number() OVER (PARTITION BY line ORDER BY column_idx) = 1 ORDER BY line LIMIT ${input.listed}`,
  );
  const checkedRows =
    staged > accepted
      ? await queryRows<{ ordinal: number; reason: number; bad_value: string | null; src: string | null; sensor: number | null }>(
          c,
          // Inside a transaction a new table's row ids start at a large offset, in insertion order.
          `SELECT s.rowid - (SELECT min(rowid) FROM csv_stage) AS ordinal, s.reason, s.bad_value, s.src_text AS src
           FROM csv_stage s LEFT JOIN csv_texts t ON t.text = s.src_text
           WHERE s.reason <> 0 OR (s.src_key IS NULL AND t.k IS NULL)
           ORDER BY s.rowid LIMIT ${input.listed}`,
        )
      : [];
  const lines = checkedRows.length > 0 ? await readDataRowLines(input.file, input.gzip, new Set((await queryRows<{ line: number }>(c, 'SELECT DISTINCT line FROM csv_rejects')).map((r) => r.line)), checkedRows.map((r) => r.ordinal)) : [];
  const problems = [
    ...brokenRows.map((r) => ({ line: r.line, reason: formatBrokenReason(r.error_type, r.error_message, width) })),
    ...checkedRows.map((r, i) => ({ line: lines[i]!, reason: formatCheckReason(r.reason, r.bad_value, r.src) })),
  ];
  result.problems = problems.sort((a, b) => a.line - b.line).slice(0, input.listed);
  for (const table of ['csv_stage', 'csv_regions', 'csv_texts']) await c.run(`DROP TABLE IF EXISTS ${table}`);
  return result;
}

function formatBrokenReason(type: string, message: string, width: number): string {
  if (type === 'MISSING COLUMNS' || type === 'TOO MANY COLUMNS') {
    const found = /Found: (\d+)/.exec(message);
    return `expected ${width} fields, got ${found ? found[1] : '?'}`;
  }
  if (type === 'UNQUOTED VALUE') return 'broken CSV quoting';
  return message;
}

function formatCheckReason(reason: number, value: string | null, src: string | null): string {
  const shown = JSON.stringify(value ?? '');
  switch (reason) {
    case REASON.ts:
      return `bad timestamp ${shown}`;
    case REASON.proto:
      return `unknown protocol ${shown} (expected tcp, udp, icmp or icmpv6)`;
    case REASON.port:
      return `bad destination port ${shown}`;
    case REASON.missingSrc:
      return 'missing src_ip';
    case REASON.unknownSensor:
      return `unknown sensor ${shown} (not in the manifest)`;
    case REASON.noSensor:
      return 'no sensor: the row names none; give --sensor';
    default:
      return `bad source address ${JSON.stringify(src ?? '')}`;
  }
}

/**
 * Line numbers of data rows given by their 0-based position among the rows
 * DuckDB read: every line after the header that is neither blank nor broken.
 */
async function readDataRowLines(file: string, gzip: boolean, brokenLines: Set<number>, ordinals: number[]): Promise<number[]> {
  const wanted = new Map(ordinals.map((o, i) => [o, i]));
  const lines = new Array<number>(ordinals.length).fill(0);
  let found = 0;
  let line = 0;
  let ordinal = 0;
  let rest = '';
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const source = gzip ? raw.pipe(createGunzip()) : raw;
  source.setEncoding('utf8');
  const take = (text: string) => {
    line++;
    if (line === 1 || text === '' || text === '\r' || brokenLines.has(line)) return;
    const at = wanted.get(ordinal++);
    if (at !== undefined) {
      lines[at] = line;
      found++;
    }
  };
  for await (const chunk of source as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const part of parts) take(part);
    if (found === ordinals.length) {
      source.destroy();
      return lines;
    }
  }
  if (rest !== '') take(rest);
  return lines;
}
