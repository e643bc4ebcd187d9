/**
 * The fast path for canonical packet CSV (`ts,sensor,src_ip,dst_port,proto`):
 * DuckDB's own CSV reader parses the file, the checks of rows.ts/fields.ts
 * run as SQL, and only the distinct source addresses come back to
 * JavaScript to be canonicalised and geolocated.
 *
 *   scan 1: read_csv → distinct src_ip texts (broken rows → reject table,
 *           with line numbers) and the count of rows whose timestamp or
 *           port is not in canonical form, kept in DuckDB → geolocated in
 *           JS a page at a time → csv_texts (text, key, region)
 *   scan 2: read_csv → rows JOIN csv_texts → INSERT INTO packets. When every
 *           timestamp and port is canonical, DuckDB's typed reader parses
 *           the fields (ENUMs for protocol and sensor); otherwise, and when
 *           the typed reader leaves rows out, the checks run as SQL, each
 *           field first meeting a cheap test of its untrimmed text
 *   scan 3, only when a check refused rows: the checked rows in file order,
 *           to list the first ones with their line numbers
 *
 * Why two scans and not one: the join needs every source's key and region,
 * which JavaScript gives only once the distinct sources are known. Staging
 * one typed scan in a temporary table and grouping and joining from there
 * measured no faster at 10M rows: writing and re-reading the stage costs what
 * the second parse saves. The canonical-form count in scan 1 costs about as
 * much as the grouping, but it is what lets scan 2 take the typed reader,
 * which is about a second faster at 10M rows than the checked one.
 *
 * A quote left open would make DuckDB read the lines after it as one field,
 * losing them; such a file is handed back, unloaded, to the line reader.
 *
 * Rejected rows keep the JS readers' reasons. Line numbers come from
 * DuckDB's reject table for broken rows and, for rows refused by a check,
 * from the row's position in scan 3's table (insertion order is kept),
 * mapped to its line by one scan of the file.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import { DuckDBDataChunk, UBIGINT, USMALLINT, VARCHAR } from '@duckdb/node-api';
import { queryColumns, queryRows, type Store } from '../store/store.js';
import { PROTO_CODES } from './capture-types.js';
import { unpackKey, unpackRegion, type SourceKeys } from './sources.js';

/** What the CSV fast path reports back for a file's summary. */
export interface CsvLoadResult {
  read: number;
  accepted: number;
  rejected: number;
  /** The first `listed` rejected rows, by line. */
  problems: { line: number; reason: string }[];
  /**
   * A quote left open took the lines after it into one record (DuckDB reads
   * line breaks inside quotes as part of the field). Nothing was loaded: the
   * file needs a reader that keeps each line a row (rows.ts).
   */
  quoteSpansLines?: boolean;
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

/**
 * SQL: DuckDB's reader over the file, its columns named c0, c1, … and read
 * as VARCHAR unless `types` gives another type; `options` ends the call
 * (how broken rows are handled).
 */
function formatReadCsvSql(input: CsvLoadInput, options: string, types: ReadonlyMap<number, string> = new Map()): string {
  const width = Math.max(...input.header.values()) + 1;
  const columns = Array.from({ length: width }, (_, i) => `'c${i}': ${quote(types.get(i) ?? 'VARCHAR')}`).join(', ');
  return `read_csv(${quote(input.file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                  columns = {${columns}}, compression = ${input.gzip ? "'gzip'" : "'none'"}, ${options})`;
}

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

/** SQL: the checked rows of the CSV, with a reason code (0 = good) and, for bad rows, the offending value. */
function formatCheckedRowsSql(input: CsvLoadInput, rejects: string): string {
  const col = (name: string) => (input.header.has(name) ? `c${input.header.get(name)}` : null);
  const sensorCase =
    input.sensorsByName.size === 0 ? 'NULL' : `CASE sensor ${[...input.sensorsByName].map(([name, id]) => `WHEN ${quote(name)} THEN ${id}`).join(' ')} END`;
  const sensorCol = col('sensor');
  const fixed = input.fixedSensor === null ? 'NULL' : String(input.fixedSensor);
  // Fields are trimmed only when the untrimmed text fails its check: trimming every field costs as much as reading it.
  const epoch = `'-?\\d+(\\.\\d+)?'`;
  return `
    WITH raw AS (
      SELECT ${col('ts')} AS ts_raw, ${sensorCol ? `coalesce(trim(${sensorCol}), '')` : "''"} AS sensor,
             ${col('src_ip')} AS src, ${col('dst_port')} AS port_raw, ${col('proto')} AS proto_raw
      FROM ${formatReadCsvSql(input, rejects)}),
    split AS (
      SELECT *, CASE WHEN regexp_full_match(ts_raw, ${epoch}) THEN ts_raw ELSE trim(ts_raw) END AS t FROM raw),
    split2 AS (
      SELECT *, CASE WHEN NOT regexp_full_match(t, ${epoch}) THEN ${formatIsoPartsSql('t')} END AS m FROM split),
    parsed AS (
      SELECT *, ${formatTimestampSql('t', 'm')} AS ts_ms,
             CASE proto_raw WHEN 'tcp' THEN 0 WHEN 'udp' THEN 1 WHEN 'icmp' THEN 2 WHEN 'icmpv6' THEN 3 ELSE
               CASE lower(trim(proto_raw)) WHEN 'tcp' THEN 0 WHEN 'udp' THEN 1 WHEN 'icmp' THEN 2 WHEN 'icmpv6' THEN 3 END END AS proto,
             CASE WHEN regexp_full_match(port_raw, '\\d{1,5}') THEN CAST(port_raw AS INTEGER)
                  WHEN regexp_full_match(trim(port_raw), '\\d{1,5}') THEN CAST(trim(port_raw) AS INTEGER) END AS port_int,
             CASE WHEN sensor = '' THEN ${fixed} ELSE ${sensorCase} END AS sensor_id
      FROM split2)
    SELECT *, CASE
        WHEN ts_ms IS NULL THEN ${REASON.ts}
        WHEN proto IS NULL THEN ${REASON.proto}
        WHEN port_int IS NULL OR port_int > 65535 THEN ${REASON.port}
        WHEN coalesce(trim(src), '') = '' THEN ${REASON.missingSrc}
        WHEN sensor_id IS NULL AND sensor <> '' THEN ${REASON.unknownSensor}
        WHEN sensor_id IS NULL THEN ${REASON.noSensor}
        ELSE 0 END AS reason
    FROM parsed`;
}

/**
 * SQL: the accepted rows of the CSV (before the source join), for the insert.
 * Each field first meets a strict check on its untrimmed text that implies
 * the full check of formatCheckedRowsSql and gives the same value; only a
 * field that fails it takes the full check. Well-formed files thus pay for
 * one cheap test per field instead of the whole parse, and a row is accepted
 * here exactly when formatCheckedRowsSql gives it reason 0.
 */
function formatAcceptedRowsSql(input: CsvLoadInput): string {
  const col = (name: string) => (input.header.has(name) ? `c${input.header.get(name)}` : null);
  const fixed = input.fixedSensor === null ? 'NULL' : String(input.fixedSensor);
  const sensorCol = col('sensor');
  const names = [...input.sensorsByName];
  const fullSensor =
    names.length === 0
      ? 'NULL'
      : `CASE trim(sensor_raw) ${names.map(([name, id]) => `WHEN ${quote(name)} THEN ${id}`).join(' ')} END`;
  // A name with surrounding blanks never matches the trimmed text, so it gets no fast branch.
  const fastNames = names.filter(([name]) => name !== '' && name === name.trim());
  const sensorSql = sensorCol
    ? `CASE ${fastNames.length ? `sensor_raw ${fastNames.map(([name, id]) => `WHEN ${quote(name)} THEN ${id}`).join(' ')}` : ''}
         ${fastNames.length ? 'ELSE' : 'WHEN TRUE THEN'} CASE WHEN coalesce(trim(sensor_raw), '') = '' THEN ${fixed} ELSE ${fullSensor} END END`
    : fixed;
  const epoch = `'-?\\d+(\\.\\d+)?'`;
  // Layers: the fast value of each field, then (for timestamps that failed the fast check only) the trimmed text and ISO parts.
  return `
    WITH raw AS (
      SELECT ${col('ts')} AS ts_raw, ${sensorCol ?? 'NULL'} AS sensor_raw, ${col('src_ip')} AS src, ${col('dst_port')} AS port_raw, ${col('proto')} AS proto_raw
      FROM ${formatReadCsvSql(input, 'ignore_errors = true')}),
    fast AS (
      SELECT regexp_full_match(ts_raw, ${epoch}) AS ts_fast, ts_raw, src,
        ${sensorSql} AS sensor_id,
        CASE WHEN regexp_full_match(port_raw, '\\d{1,5}') THEN CAST(port_raw AS INTEGER)
             WHEN regexp_full_match(trim(port_raw), '\\d{1,5}') THEN CAST(trim(port_raw) AS INTEGER) END AS port_int,
        CASE proto_raw WHEN 'tcp' THEN 0 WHEN 'udp' THEN 1 WHEN 'icmp' THEN 2 WHEN 'icmpv6' THEN 3 ELSE
          CASE lower(trim(proto_raw)) WHEN 'tcp' THEN 0 WHEN 'udp' THEN 1 WHEN 'icmp' THEN 2 WHEN 'icmpv6' THEN 3 END END AS proto
      FROM raw),
    slow1 AS (
      SELECT *, CASE WHEN NOT ts_fast THEN trim(ts_raw) END AS t FROM fast),
    slow2 AS (
      SELECT *, CASE WHEN NOT ts_fast AND NOT regexp_full_match(t, ${epoch}) THEN ${formatIsoPartsSql('t')} END AS m FROM slow1)
    SELECT CASE WHEN ts_fast THEN CASE WHEN isfinite(TRY_CAST(ts_raw AS DOUBLE) * 1000) THEN TRY_CAST(ts_raw AS DOUBLE) * 1000 END
                ELSE ${formatTimestampSql('t', 'm')} END AS ts_ms,
           sensor_id, src, port_int, proto
    FROM slow2`;
}

/**
 * SQL: whether a row's timestamp and port are in canonical form, the form
 * whose value DuckDB's typed reader gives exactly as the checks do: an
 * untrimmed epoch `-?\d+(\.\d+)?` and a port of 1–5 digits. (The typed
 * reader accepts more, e.g. `1e9` or `+23`, hence this check on the text.)
 * Protocols and sensors need no check here: the typed reader takes them as
 * ENUMs, which refuse every text but the exact names.
 */
function formatCanonicalChecksSql(input: CsvLoadInput): string {
  const col = (name: string) => `c${input.header.get(name)}`;
  return `(regexp_full_match(${col('ts')}, '-?\\d+(\\.\\d+)?') AND regexp_full_match(${col('dst_port')}, '\\d{1,5}'))`;
}

/**
 * SQL: the rows of a CSV whose timestamps and ports are all canonical (see
 * formatCanonicalChecksSql), read by DuckDB's typed reader: timestamps as
 * DOUBLE, ports as USMALLINT, protocols and sensors as ENUMs whose codes are
 * the protocol codes and the sensor ids. A row the checks would refuse is
 * left out here too (a cast error skips it, a NULL field is filtered out),
 * so the caller knows a file has one when fewer rows arrive than expected.
 */
function formatTypedRowsSql(input: CsvLoadInput): string | null {
  const types = new Map<number, string>([
    [input.header.get('ts')!, 'DOUBLE'],
    [input.header.get('dst_port')!, 'USMALLINT'],
    [input.header.get('proto')!, `ENUM(${Object.keys(PROTO_CODES).map(quote).join(', ')})`],
  ]);
  const fixed = input.fixedSensor === null ? 'NULL' : String(input.fixedSensor);
  let sensor = fixed;
  if (input.header.has('sensor')) {
    // Label i of the ENUM is the name of sensor id i, so its code is the id; ids no sensor has get labels no row holds.
    // A name with surrounding blanks matches no trimmed text, so it is left out too.
    const byId = new Map([...input.sensorsByName].filter(([name]) => name !== '' && name === name.trim()).map(([name, id]) => [id, name]));
    const filler = (id: number) => `\u0001${id}`;
    if (byId.size === 0 || [...byId.values()].some((name) => name.startsWith('\u0001'))) return null;
    const labels = Array.from({ length: Math.max(...byId.keys()) + 1 }, (_, id) => byId.get(id) ?? filler(id));
    types.set(input.header.get('sensor')!, `ENUM(${labels.map(quote).join(', ')})`);
    // An empty field is NULL, and takes the fixed sensor as in the checks.
    sensor = `coalesce(enum_code(c${input.header.get('sensor')}), ${fixed})`;
  } else if (input.fixedSensor === null) return null;
  return `
    SELECT CASE WHEN isfinite(c${input.header.get('ts')} * 1000) THEN c${input.header.get('ts')} * 1000 END AS ts_ms, ${sensor} AS sensor_id, c${input.header.get('src_ip')} AS src,
           c${input.header.get('dst_port')} AS port_int, enum_code(c${input.header.get('proto')}) AS proto
    FROM ${formatReadCsvSql(input, 'ignore_errors = true', types)}`;
}

/** Bytes read from the start of a file to judge, from its first rows, whether the typed reader can take it. */
const SAMPLE_BYTES = 64 * 1024;

/**
 * Whether the sample's data rows (after the header; a cut-off last line is
 * left out) all name their protocol and sensor exactly as the typed reader's
 * ENUMs do. The typed reader skips a row it cannot cast at a cost far above
 * reading it, so a file whose first rows say `TCP`, or name a sensor not in
 * the manifest, goes straight to the checked scan. Only a shortcut: rows
 * past the sample are still caught by the row count.
 */
export function parseTypedSample(sample: string, input: Pick<CsvLoadInput, 'header' | 'sensorsByName' | 'fixedSensor'>): boolean {
  const lines = sample.split('\n');
  lines.pop();
  const protoAt = input.header.get('proto')!;
  const sensorAt = input.header.get('sensor');
  const protos = new Set(Object.keys(PROTO_CODES));
  for (const raw of lines.slice(1)) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (line.includes('"')) return false;
    const fields = line.split(',');
    if (!protos.has(fields[protoAt] ?? '')) return false;
    if (sensorAt === undefined) continue;
    const sensor = fields[sensorAt] ?? '';
    if (sensor === '' ? input.fixedSensor === null : sensor !== sensor.trim() || !input.sensorsByName.has(sensor)) return false;
  }
  return true;
}

/** The first SAMPLE_BYTES of the file's text (decompressed for gzip). */
async function readSample(file: string, gzip: boolean): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const bytes = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(bytes, 0, SAMPLE_BYTES, 0);
    const head = bytes.subarray(0, bytesRead);
    // A gzip stream cut short decompresses as far as it goes with a sync flush.
    return (gzip ? gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }) : head).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Distinct source texts geolocated and written at a time (scan 1's result is read in pages of this many). */
const TEXTS_PAGE = 65_536;

/**
 * Resolves distinct source texts to their keys and regions and appends the
 * ones that are addresses to csv_texts; returns the rows (`n` per text) of
 * those that are not.
 */
async function writeSourceTexts(
  c: Store['connection'],
  texts: readonly (string | null)[],
  rows: readonly number[],
  sources: SourceKeys,
): Promise<number> {
  let sourceless = 0;
  const textColumn: string[] = [];
  const keyColumn: bigint[] = [];
  const regionColumn: number[] = [];
  for (let t = 0; t < texts.length; t++) {
    const text = texts[t]!;
    const packed = text === null ? -1 : sources.resolveDistinct(text);
    if (packed < 0) {
      sourceless += rows[t]!;
      continue;
    }
    textColumn.push(text!);
    keyColumn.push(BigInt(unpackKey(packed)));
    regionColumn.push(unpackRegion(packed));
  }
  const appender = await c.createAppender('csv_texts');
  for (let start = 0; start < textColumn.length; start += 2048) {
    const count = Math.min(2048, textColumn.length - start);
    const chunk = DuckDBDataChunk.create([VARCHAR, UBIGINT, USMALLINT], count);
    chunk.setColumnValues(0, textColumn.slice(start, start + count));
    chunk.setColumnValues(1, keyColumn.slice(start, start + count));
    chunk.setColumnValues(2, regionColumn.slice(start, start + count));
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
  return sourceless;
}

/**
 * Runs an INSERT … JOIN csv_texts and returns its row count. DuckDB guesses
 * a CSV at a few rows and would build the join's hash table from the file;
 * with join ordering off, the small source table is the build side.
 */
async function queryJoinedRows(c: Store['connection'], sql: string): Promise<number> {
  await c.run(`SET disabled_optimizers = 'join_order,build_side_probe_side'`);
  try {
    return (await queryRows<{ Count: number }>(c, sql))[0]!.Count;
  } finally {
    await c.run('RESET disabled_optimizers');
  }
}

/**
 * Loads one canonical CSV packet file into `packets` (inside the caller's
 * transaction). Two scans of the file: the distinct sources (and the broken
 * rows), then the accepted rows joined to their keys and regions. A third,
 * to list the rows a check refused, runs only when there are any.
 */
export async function readCsvIntoStore(store: Store, input: CsvLoadInput): Promise<CsvLoadResult> {
  const c = store.connection;
  const width = Math.max(...input.header.values()) + 1;
  const srcCol = `c${input.header.get('src_ip')}`;
  for (const table of ['csv_stage', 'csv_rejects', 'csv_reject_scans', 'csv_groups', 'csv_texts']) await c.run(`DROP TABLE IF EXISTS ${table}`);

  // Scan 1: every distinct source text with its rows, and how many of them hold a field outside its
  // canonical form (which decides the kind of scan 2). The groups stay in DuckDB (which can spill
  // them to disk) and come to JS a page at a time to be geolocated: a file of millions of distinct
  // sources never sits whole in this process.
  const canonical = formatCanonicalChecksSql(input);
  await c.run(`CREATE TEMP TABLE csv_groups AS
     SELECT ${srcCol} AS text, CAST(count(*) AS INTEGER) AS n, CAST(count(*) FILTER (WHERE NOT coalesce(${canonical}, false)) AS INTEGER) AS odd
     FROM ${formatReadCsvSql(input, "store_rejects = true, rejects_table = 'csv_rejects', rejects_scan = 'csv_reject_scans'")}
     GROUP BY 1`);
  // A record that runs over a line break began with a quote left open: every line it took in would be lost.
  const spanning = await queryRows<{ n: number }>(c, `SELECT count(*) AS n FROM csv_rejects WHERE contains(rtrim(csv_line, chr(13) || chr(10)), chr(10))`);
  if (spanning[0]!.n > 0) return { read: 0, accepted: 0, rejected: 0, problems: [], quoteSpansLines: true };
  // Row ids as text: inside a transaction they start at an offset beyond a double's exact integers.
  const groups = (
    await queryRows<{ staged: number; odd: number; first: string | null; last: string | null }>(
      c,
      'SELECT coalesce(sum(n), 0) AS staged, coalesce(sum(odd), 0) AS odd, CAST(min(rowid) AS VARCHAR) AS first, CAST(max(rowid) AS VARCHAR) AS last FROM csv_groups',
    )
  )[0]!;
  const staged = groups.staged;
  const odd = groups.odd;
  let sourceless = 0;
  await c.run('CREATE TEMP TABLE csv_texts (text VARCHAR, k UBIGINT, region USMALLINT)');
  if (groups.first !== null && groups.last !== null) {
    for (let from = BigInt(groups.first); from <= BigInt(groups.last); from += BigInt(TEXTS_PAGE)) {
      const page = await queryColumns<{ text: (string | null)[]; n: number[] }>(
        c,
        `SELECT text, n FROM csv_groups WHERE rowid BETWEEN ${from} AND ${from + BigInt(TEXTS_PAGE) - 1n}`,
      );
      sourceless += await writeSourceTexts(c, page.text, page.n, input.sources);
    }
  }
  await c.run('DROP TABLE csv_groups');

  // Scan 2: the good rows, straight into the store. When every timestamp and port is canonical,
  // DuckDB's typed reader gives exactly the checked values, and only the source join remains.
  const typed = odd === 0 && parseTypedSample(await readSample(input.file, input.gzip), input) ? formatTypedRowsSql(input) : null;
  const insert = (rows: string) => `INSERT INTO packets
     SELECT r.ts_ms, r.sensor_id, t.k, r.port_int, r.proto, t.region, ${input.fileId}
     FROM (${rows}) r JOIN csv_texts t ON t.text = r.src
     WHERE r.ts_ms IS NOT NULL AND r.sensor_id IS NOT NULL AND r.port_int <= 65535 AND r.proto IS NOT NULL`;
  let inserted = await queryJoinedRows(c, insert(typed ?? formatAcceptedRowsSql(input)));
  if (typed !== null && inserted !== staged - sourceless) {
    // The typed reader left out a row (an unknown sensor or protocol, an empty field, a port
    // above 65535…): the checks decide, and name it.
    await c.run('DELETE FROM packets WHERE file_id = $id', { id: input.fileId });
    inserted = await queryJoinedRows(c, insert(formatAcceptedRowsSql(input)));
  }
  const accepted = inserted;
  const broken = (await queryRows<{ n: number }>(c, 'SELECT count(DISTINCT line) AS n FROM csv_rejects'))[0]!.n;
  const result: CsvLoadResult = { read: staged + broken, accepted, rejected: staged - accepted + broken, problems: [] };
  if (result.rejected === 0) return result;

  const brokenRows = await queryRows<{ line: number; error_type: string; error_message: string }>(
    c,
    `SELECT line, error_type, error_message FROM csv_rejects
     QUALIFY row_number() OVER (PARTITION BY line ORDER BY column_idx) = 1 ORDER BY line LIMIT ${input.listed}`,
  );
  let checkedRows: { ordinal: number; reason: number; bad_value: string | null; src: string | null }[] = [];
  if (staged > accepted) {
    // Scan 3 (only with refused rows): the checked rows in file order, to list the first ones.
    // No join here: a join would not keep the file's row order, which the row ids must follow.
    await c.run(`CREATE TEMP TABLE csv_stage AS
      SELECT r.reason, r.src,
             CASE r.reason WHEN ${REASON.ts} THEN r.t WHEN ${REASON.proto} THEN trim(r.proto_raw) WHEN ${REASON.port} THEN trim(r.port_raw)
                           WHEN ${REASON.unknownSensor} THEN r.sensor END AS bad_value
      FROM (${formatCheckedRowsSql(input, 'ignore_errors = true')}) r`);
    checkedRows = await queryRows(
      c,
      // Inside a transaction a new table's row ids start at a large offset, in insertion order.
      `SELECT s.rowid - (SELECT min(rowid) FROM csv_stage) AS ordinal, s.reason, s.bad_value, s.src
       FROM csv_stage s LEFT JOIN csv_texts t ON t.text = s.src
       WHERE s.reason <> 0 OR t.k IS NULL ORDER BY s.rowid LIMIT ${input.listed}`,
    );
  }
  const brokenLines = new Set((await queryRows<{ line: number }>(c, 'SELECT DISTINCT line FROM csv_rejects')).map((r) => r.line));
  const lines = checkedRows.length > 0 ? await readDataRowLines(input.file, input.gzip, brokenLines, checkedRows.map((r) => r.ordinal)) : [];
  const problems = [
    ...brokenRows.map((r) => ({ line: r.line, reason: formatBrokenReason(r.error_type, r.error_message, width) })),
    ...checkedRows.map((r, i) => ({ line: lines[i]!, reason: formatCheckReason(r.reason, r.bad_value, r.src) })),
  ];
  result.problems = problems.sort((a, b) => a.line - b.line).slice(0, input.listed);
  await c.run('DROP TABLE IF EXISTS csv_stage');
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
