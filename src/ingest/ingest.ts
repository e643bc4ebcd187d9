/**
 * Ingest: input files → rows in the store, in one transaction per command.
 *
 *   file ──readInputHead──▶ format
 *     canonical CSV ─▶ DuckDB read_csv + checks in SQL (csv-load.ts)
 *     capture       ─▶ read, hash, decode on a worker thread ─▶ columnar
 *                      batches ─▶ DuckDB table-function scan (capture-load.ts)
 *     NDJSON, Shadowserver ─▶ rows ─▶ typed-array chunks
 *   each resolving the sensor and geolocating the source once per distinct
 *   address (sources.ts) ──▶ files row ──▶ COMMIT (or ROLLBACK on any failure
 *   or too many bad rows)
 *
 * A file whose bytes were ingested before is a duplicate and adds nothing; it
 * is recognised before it is parsed (findDuplicateFile).
 */
import { basename } from 'node:path';
import { ReportError } from '../errors.js';
import type { GeoResolver } from '../geo/geo.js';
import { queryRows, withTransaction, type Store } from '../store/store.js';
import { readCaptureIntoStore } from './capture-load.js';
import { CaptureReaderThread } from './capture-thread.js';
import { hashFileOnThread, type FileHashing } from './hash-thread.js';
import { parseCsvHeader } from './csv.js';
import { parseCsvFastPath, readCsvIntoStore } from './csv-load.js';
import { parseAddress } from './fields.js';
import { readFileSha256, readInputHead, readTextInput, type InputHead, type TextInput } from './input.js';
import type { SensorManifest } from './manifest.js';
import { parseHoneypotFormat, parsePacketFormat } from './rows.js';
import { HoneypotSink, PacketSink } from './sink.js';
import { SourceKeys, unpackKey, unpackRegion } from './sources.js';

/** Skipped packets, by kind (they carry no destination port). */
export interface SkippedByKind {
  fragment: number;
  nonIp: number;
  otherProtocol: number;
}

/** A rejected row: where it is and why. */
export interface RowProblem {
  file: string;
  /** Line number for text files, packet number for captures. */
  line: number;
  unit: 'line' | 'packet';
  reason: string;
}

/** What happened to one input file. */
export interface FileSummary {
  file: string;
  sha256: string;
  format: string;
  status: 'ingested' | 'duplicate';
  /** Rows (or frames) read. */
  read: number;
  accepted: number;
  rejected: number;
  skipped: SkippedByKind;
  /** The first few rejected rows. */
  problems: RowProblem[];
  /** Set when a capture's last record was cut off. */
  truncated?: string;
}

export interface IngestSummary {
  files: FileSummary[];
  totals: { read: number; accepted: number; rejected: number; duplicate: number; skipped: SkippedByKind };
}

/** Injected effects: where messages go, and the clock. */
export interface IngestEffects {
  log(line: string): void;
  clock(): Date;
  /** Called as a file is read, for a progress bar. */
  progress?(file: string, bytesRead: number, totalBytes: number): void;
  /** Called as each file is taken up: the `index`th (from 1) of `count`. */
  fileStarted?(file: string, index: number, count: number): void;
}

export interface PacketIngestOptions {
  files: readonly string[];
  manifest: SensorManifest;
  /** Attribute every packet to this sensor (for inputs that do not name it). */
  sensor?: string;
  /** Most rejected rows accepted before the ingest fails (default 0). */
  maxErrors?: number;
  geo: GeoResolver;
  /** Canonical CSV files from this many bytes on take DuckDB's reader (default CSV_FAST_PATH_BYTES). */
  csvFastPathFrom?: { plain: number; gzip: number };
}

/**
 * The smallest canonical CSV files (file bytes; a gzip file's compressed
 * bytes) read by DuckDB's reader (csv-load.ts). Its set-up, a dozen
 * statements, costs about 20 ms a file: below these sizes the line reader,
 * which gives the same rows and verdicts, is done sooner. Measured on 4
 * files each: 20,000 rows (0.8 MB) 0.47 s by lines vs 0.58 s by DuckDB;
 * 100,000 rows (3.9 MB) 0.92 vs 1.04 s; 400,000 rows (16 MB) 2.72 vs 1.51 s.
 */
export const CSV_FAST_PATH_BYTES = { plain: 4 * 2 ** 20, gzip: 512 * 2 ** 10 };

export interface HoneypotIngestOptions {
  name: string;
  files: readonly string[];
  maxErrors?: number;
}

/** How many rejected rows each file lists. */
export const LISTED_PROBLEMS = 10;

const emptySkipped = (): SkippedByKind => ({ fragment: 0, nonIp: 0, otherProtocol: 0 });

/** The manifest's sensors by name and by address, as stored ids. */
interface Sensors {
  byName: Map<string, number>;
  byAddress: Map<string, number>;
}

/** Writes the manifest into the store; returns name → id and address → id. */
async function writeSensors(store: Store, manifest: SensorManifest): Promise<Sensors> {
  const existing = await queryRows<{ id: number; name: string }>(store.connection, 'SELECT id, name FROM sensors');
  const byName = new Map(existing.map((row) => [row.name, row.id]));
  let next = existing.reduce((max, row) => Math.max(max, row.id + 1), 0);
  const byAddress = new Map<string, number>();
  for (const sensor of manifest.sensors) {
    let id = byName.get(sensor.name);
    if (id === undefined) {
      id = next++;
      byName.set(sensor.name, id);
      await store.connection.run('INSERT INTO sensors VALUES ($id, $name, $country, $address, $from, $to)', {
        id,
        name: sensor.name,
        country: sensor.country,
        address: sensor.address,
        from: sensor.activeFrom,
        to: sensor.activeTo,
      });
    } else {
      await store.connection.run('UPDATE sensors SET country = $country, address = $address, active_from = $from, active_to = $to WHERE id = $id', {
        id,
        country: sensor.country,
        address: sensor.address,
        from: sensor.activeFrom,
        to: sensor.activeTo,
      });
    }
    if (sensor.address !== null) byAddress.set(sensor.address, id);
  }
  // Sensors absent from this manifest keep their stored rows, but only listed ones accept packets.
  const listed = new Set(manifest.sensors.map((s) => s.name));
  for (const name of [...byName.keys()]) if (!listed.has(name)) byName.delete(name);
  return { byName, byAddress };
}

/** The files of one ingest run so far: their hashes and byte sizes. */
interface RunFiles {
  shas: Set<string>;
  sizes: Set<number>;
}

/**
 * The hash of `file` when its content was ingested before (into the store or
 * earlier in this run), found before the file is parsed; null otherwise.
 * Only a file with the byte size of an ingested one (or of one whose size the
 * store does not know, from before sizes were kept) is hashed here; any other
 * file cannot be a duplicate, and is hashed while it is read.
 */
async function findDuplicateFile(store: Store, file: string, size: number, run: RunFiles, effects: IngestEffects): Promise<string | null> {
  const sameSize = await queryRows(store.connection, 'SELECT 1 AS hit FROM files WHERE bytes = $size OR bytes IS NULL LIMIT 1', { size });
  if (!run.sizes.has(size) && sameSize.length === 0) return null;
  const sha256 = await readFileSha256(file, (bytes) => effects.progress?.(file, bytes, size));
  if (run.shas.has(sha256)) return sha256;
  const known = await queryRows(store.connection, 'SELECT 1 AS hit FROM files WHERE sha256 = $sha', { sha: sha256 });
  return known.length > 0 ? sha256 : null;
}

/** The summary of a file skipped as a duplicate, unread. */
function formatDuplicateSummary(file: string, format: string, sha256: string, effects: IngestEffects): FileSummary {
  effects.log(`${file}: already ingested (same content), skipped`);
  return { ...newSummary(file, format), sha256, status: 'duplicate' };
}

async function nextFileId(store: Store): Promise<number> {
  const rows = await queryRows<{ next: number }>(store.connection, 'SELECT coalesce(max(id), 0) + 1 AS next FROM files');
  return rows[0]!.next;
}

interface FileRow {
  id: number;
  summary: FileSummary;
  kind: 'packets' | 'honeypot';
  honeypot: string | null;
  geo: GeoResolver | null;
  /** The file's size in bytes, as stored (compressed for a gzip file). */
  bytes: number;
}

async function writeFileRow(store: Store, row: FileRow, clock: () => Date): Promise<void> {
  const s = row.summary;
  await store.connection.run(
    `INSERT INTO files (id, sha256, name, kind, format, honeypot, ingested_at, packets, rejected, skipped_fragment, skipped_non_ip, skipped_other, geoip_name, geoip_date, bytes)
     VALUES ($id, $sha, $name, $kind, $format, $honeypot, $at, $packets, $rejected, $fragment, $nonIp, $other, $geoName, $geoDate, $bytes)`,
    {
      id: row.id,
      sha: s.sha256,
      name: basename(s.file),
      kind: row.kind,
      format: s.format,
      honeypot: row.honeypot,
      at: clock().getTime(),
      packets: s.accepted,
      rejected: s.rejected,
      fragment: s.skipped.fragment,
      nonIp: s.skipped.nonIp,
      other: s.skipped.otherProtocol,
      geoName: row.geo?.name ?? null,
      geoDate: row.geo?.date ?? null,
      bytes: row.bytes,
    },
  );
}

function newSummary(file: string, format: string): FileSummary {
  return { file, sha256: '', format, status: 'ingested', read: 0, accepted: 0, rejected: 0, skipped: emptySkipped(), problems: [] };
}

function reject(summary: FileSummary, line: number, unit: 'line' | 'packet', reason: string): void {
  summary.rejected++;
  if (summary.problems.length < LISTED_PROBLEMS) summary.problems.push({ file: summary.file, line, unit, reason });
}

function totalsOf(files: FileSummary[]): IngestSummary['totals'] {
  const totals = { read: 0, accepted: 0, rejected: 0, duplicate: 0, skipped: emptySkipped() };
  for (const f of files) {
    if (f.status === 'duplicate') {
      totals.duplicate++;
      continue;
    }
    totals.read += f.read;
    totals.accepted += f.accepted;
    totals.rejected += f.rejected;
    totals.skipped.fragment += f.skipped.fragment;
    totals.skipped.nonIp += f.skipped.nonIp;
    totals.skipped.otherProtocol += f.skipped.otherProtocol;
  }
  return totals;
}

function failOnTooManyErrors(files: FileSummary[], maxErrors: number): void {
  const rejected = files.reduce((sum, f) => sum + (f.status === 'ingested' ? f.rejected : 0), 0);
  if (rejected <= maxErrors) return;
  const details = files.flatMap((f) => f.problems.map((p) => `${p.file}:${p.unit === 'packet' ? `packet ${p.line}` : p.line}: ${p.reason}`));
  const listed = details.length;
  if (rejected > listed) details.push(`… and ${rejected - listed} more`);
  throw new ReportError('INPUT_INVALID', `${rejected} rejected row${rejected === 1 ? '' : 's'}, more than --max-errors ${maxErrors}; nothing was ingested.`, {
    details,
  });
}

/** Ingests packet files (text or capture) into the store, as one transaction. */
export async function ingestPacketFiles(store: Store, options: PacketIngestOptions, effects: IngestEffects): Promise<IngestSummary> {
  const maxErrors = options.maxErrors ?? 0;
  const summaries: FileSummary[] = [];
  await withTransaction(store, async () => {
    const sensors = await writeSensors(store, options.manifest);
    let fixedSensor: number | null = null;
    if (options.sensor !== undefined) {
      const id = sensors.byName.get(options.sensor);
      if (id === undefined)
        throw new ReportError('BAD_ARGUMENT', `--sensor ${options.sensor} is not in the sensor manifest.`, {
          hint: 'Add the sensor to the manifest (--sensors), or pass one of its sensor names.',
        });
      fixedSensor = id;
    }
    const sources = await SourceKeys.load(store, options.geo);
    const run: RunFiles = { shas: new Set(), sizes: new Set() };
    let fileId = await nextFileId(store);
    // One thread reads every capture of this ingest, started with the first.
    const captureReader = new CaptureReaderThread();
    try {
      for (const [index, file] of options.files.entries()) {
        effects.fileStarted?.(file, index + 1, options.files.length);
        const head = await readInputHead(file);
        const id = fileId;
        const duplicate = await findDuplicateFile(store, file, head.size, run, effects);
        if (duplicate !== null) {
          summaries.push(formatDuplicateSummary(file, head.format + (head.gzip ? '.gz' : ''), duplicate, effects));
          continue;
        }
        let summary: FileSummary;
        const header = head.format === 'csv' ? parseCsvHeader(head.firstLine) : null;
        const fastFrom = options.csvFastPathFrom ?? CSV_FAST_PATH_BYTES;
        if (header && parseCsvFastPath(header) && head.size >= (head.gzip ? fastFrom.gzip : fastFrom.plain)) {
          summary = await readCsvFile(store, file, head, header, id, sensors, fixedSensor, sources, effects);
        } else if (head.format === 'pcap' || head.format === 'pcapng') {
          summary = await readCaptureFile(store, file, head, id, sensors.byAddress, fixedSensor, sources, captureReader, effects);
        } else {
          const sink = new PacketSink(await store.connection.createAppender('packets'), id);
          summary = await readPacketTextFile(file, head, sink, sensors, fixedSensor, sources, effects);
          sink.close();
        }
        summaries.push(summary);
        run.shas.add(summary.sha256);
        run.sizes.add(head.size);
        await writeFileRow(store, { id, summary, kind: 'packets', honeypot: null, geo: options.geo, bytes: head.size }, effects.clock);
        fileId++;
      }
    } finally {
      await captureReader.close();
    }
    await sources.writeNew(store);
    failOnTooManyErrors(summaries, maxErrors);
  });
  return { files: summaries, totals: totalsOf(summaries) };
}

async function readCsvFile(
  store: Store,
  file: string,
  head: InputHead,
  header: Map<string, number>,
  fileId: number,
  sensors: Sensors,
  fixedSensor: number | null,
  sources: SourceKeys,
  effects: IngestEffects,
): Promise<FileSummary> {
  const summary = newSummary(file, `csv${head.gzip ? '.gz' : ''}`);
  // DuckDB reads the file on its own threads while this one hashes it (and, for gzip, checks that it
  // inflates to its end: DuckDB reads a cut-off gzip file as far as it goes, without a word).
  const hashing = readFileSha256(file, (bytes) => effects.progress?.(file, bytes, head.size), { gzip: head.gzip });
  hashing.catch(() => undefined);
  const loaded = await readCsvIntoStore(store, {
    file,
    gzip: head.gzip,
    header,
    fileId,
    sensorsByName: sensors.byName,
    fixedSensor,
    sources,
    listed: LISTED_PROBLEMS,
  });
  if (loaded.quoteSpansLines) {
    // One line with a quote left open: read line by line, so that only that line is refused.
    await hashing;
    const sink = new PacketSink(await store.connection.createAppender('packets'), fileId);
    const read = await readPacketTextFile(file, head, sink, sensors, fixedSensor, sources, effects);
    sink.close();
    return read;
  }
  summary.read = loaded.read;
  summary.accepted = loaded.accepted;
  summary.rejected = loaded.rejected;
  summary.problems = loaded.problems.map((p) => ({ file, line: p.line, unit: 'line', reason: p.reason }));
  summary.sha256 = await hashing;
  return summary;
}

/**
 * Reads a text log line by line: skips the header and blank lines, counts each
 * row read, and records a row as rejected (with its line number) when the
 * parser or `accept` gives a reason.
 */
async function forEachTextRow<R>(
  input: TextInput,
  parser: { hasHeader: boolean; parse(line: string): R | string | null },
  summary: FileSummary,
  accept: (row: R) => string | undefined,
): Promise<void> {
  let lineNumber = 0;
  for await (const lines of input.lines()) {
    for (const line of lines) {
      lineNumber++;
      if (lineNumber === 1 && parser.hasHeader) continue;
      const row = parser.parse(line);
      if (row === null) continue;
      summary.read++;
      const problem = typeof row === 'string' ? row : accept(row);
      if (problem !== undefined) reject(summary, lineNumber, 'line', problem);
    }
  }
}

async function readPacketTextFile(
  file: string,
  head: InputHead,
  sink: PacketSink,
  sensors: Sensors,
  fixedSensor: number | null,
  sources: SourceKeys,
  effects: IngestEffects,
): Promise<FileSummary> {
  const parser = parsePacketFormat(head.format as 'csv' | 'ndjson', head.firstLine);
  if (typeof parser === 'string') throw new ReportError('INPUT_INVALID', `${file}:1: ${parser}.`, { hint: 'Check the file format (see DOMAIN.md, "Inputs").' });
  const summary = newSummary(file, parser.format + (head.gzip ? '.gz' : ''));
  const input = readTextInput(file, head.gzip, (bytes) => effects.progress?.(file, bytes, head.size));
  await forEachTextRow(input, parser, summary, (row) => {
    let sensor: number | undefined;
    if (row.sensor !== null) {
      sensor = sensors.byName.get(row.sensor);
      if (sensor === undefined) return `unknown sensor ${JSON.stringify(row.sensor)} (not in the manifest)`;
    } else if (fixedSensor !== null) sensor = fixedSensor;
    else if (row.dst !== null) {
      const dst = parseAddress(row.dst);
      sensor = dst === null ? undefined : sensors.byAddress.get(dst);
      if (sensor === undefined) return `destination ${JSON.stringify(row.dst)} is no sensor's address in the manifest`;
    } else return 'no sensor: the row names none; give --sensor';
    const source = sources.resolve(row.src);
    if (source < 0) return `bad source address ${JSON.stringify(row.src)}`;
    // A Shadowserver event with count N stands for N packets.
    for (let n = 0; n < row.count; n++) sink.push(row.ts, sensor, unpackKey(source), row.port, row.proto, unpackRegion(source));
    summary.accepted += row.count;
    return undefined;
  });
  summary.sha256 = input.sha256();
  return summary;
}

/** Captures from this size on are hashed on a thread of their own. */
const HASH_THREAD_MIN_BYTES = 32 * 2 ** 20;

async function readCaptureFile(
  store: Store,
  file: string,
  head: InputHead,
  fileId: number,
  byAddress: Map<string, number>,
  fixedSensor: number | null,
  sources: SourceKeys,
  reader: CaptureReaderThread,
  effects: IngestEffects,
): Promise<FileSummary> {
  // The capture is read and decoded on one thread (capture-load.ts) and hashed on another; a small
  // one here, where the hashing costs less than starting a thread.
  const hashing: FileHashing =
    head.size >= HASH_THREAD_MIN_BYTES ? hashFileOnThread(file) : { result: readFileSha256(file), stop: async () => {} };
  hashing.result.catch(() => undefined);
  let loaded: Awaited<ReturnType<typeof readCaptureIntoStore>>;
  let sha256: string;
  try {
    loaded = await readCaptureIntoStore(store, {
      file,
      fileId,
      sensorsByAddress: byAddress,
      fixedSensor,
      sources,
      listed: LISTED_PROBLEMS,
      reader,
      onProgress: (bytes) => effects.progress?.(file, bytes, head.size),
    });
    sha256 = await hashing.result;
  } finally {
    await hashing.stop();
  }
  const capture = loaded.summary;
  const summary = newSummary(file, capture.format + (head.gzip ? '.gz' : ''));
  summary.accepted = loaded.inserted;
  summary.read = capture.frames;
  summary.skipped = { ...capture.skipped };
  for (const problem of capture.rejected) reject(summary, problem.packet, 'packet', problem.reason);
  // The reader lists only the first rejected frames; the rest are counted.
  summary.rejected += (capture.rejectedTotal ?? capture.rejected.length) - capture.rejected.length;
  if (capture.truncated) {
    summary.truncated = `packet ${capture.truncated.packet}: ${capture.truncated.reason}`;
    effects.log(`warning: ${file}: the last record is cut off (${summary.truncated}); the complete records before it are kept`);
  }
  summary.sha256 = sha256;
  return summary;
}

/** Ingests honeypot logs for the honeypot `name`, as one transaction. */
export async function ingestHoneypotFiles(store: Store, options: HoneypotIngestOptions, effects: IngestEffects): Promise<IngestSummary> {
  const maxErrors = options.maxErrors ?? 0;
  const summaries: FileSummary[] = [];
  if (!/^\S+$/.test(options.name)) throw new ReportError('BAD_ARGUMENT', `Invalid honeypot name ${JSON.stringify(options.name)}: use one word.`);
  await withTransaction(store, async () => {
    const run: RunFiles = { shas: new Set(), sizes: new Set() };
    const sources = await SourceKeys.load(store, null);
    let fileId = await nextFileId(store);
    for (const [index, file] of options.files.entries()) {
      effects.fileStarted?.(file, index + 1, options.files.length);
      const head = await readInputHead(file);
      if (head.format === 'pcap' || head.format === 'pcapng')
        throw new ReportError('INPUT_INVALID', `${file} is a packet capture, not a honeypot log.`, { hint: 'Honeypot logs are NDJSON or CSV with ts and src_ip.' });
      const parser = parseHoneypotFormat(head.format, head.firstLine);
      if (typeof parser === 'string') throw new ReportError('INPUT_INVALID', `${file}:1: ${parser}.`, { hint: 'Honeypot logs are NDJSON or CSV with ts and src_ip.' });
      const format = head.format + (head.gzip ? '.gz' : '');
      const duplicate = await findDuplicateFile(store, file, head.size, run, effects);
      if (duplicate !== null) {
        summaries.push(formatDuplicateSummary(file, format, duplicate, effects));
        continue;
      }
      const summary = newSummary(file, format);
      const sink = new HoneypotSink(await store.connection.createAppender('honeypot'), options.name, fileId);
      const input = readTextInput(file, head.gzip, (bytes) => effects.progress?.(file, bytes, head.size));
      await forEachTextRow(input, parser, summary, (row) => {
        const src = sources.resolve(row.src);
        if (src < 0) return `bad source address ${JSON.stringify(row.src)}`;
        sink.push(row.ts, unpackKey(src));
        summary.accepted++;
        return undefined;
      });
      sink.close();
      summary.sha256 = input.sha256();
      summaries.push(summary);
      run.shas.add(summary.sha256);
      run.sizes.add(head.size);
      await writeFileRow(store, { id: fileId, summary, kind: 'honeypot', honeypot: options.name, geo: null, bytes: head.size }, effects.clock);
      fileId++;
    }
    await sources.writeNew(store);
    failOnTooManyErrors(summaries, maxErrors);
  });
  return { files: summaries, totals: totalsOf(summaries) };
}
