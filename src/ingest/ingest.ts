/**
 * Ingest: input files → rows in the store, in one transaction per command.
 *
 *   file ──readInputHead──▶ format ──rows / capture batches──▶ resolve sensor,
 *   validate and geolocate the source (once per distinct address) ──▶ append
 *   ──▶ files row ──▶ COMMIT (or ROLLBACK on any failure or too many bad rows)
 *
 * A file whose bytes were ingested before is a duplicate and adds nothing.
 */
import { basename } from 'node:path';
import { DOUBLE, DuckDBDataChunk, INTEGER, UTINYINT, USMALLINT, VARCHAR, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';
import { ReportError } from '../errors.js';
import type { GeoResolver } from '../geo/geo.js';
import { queryRows, withTransaction, type Store } from '../store/store.js';
import { openCapture } from './capture.js';
import { parseAddress } from './fields.js';
import { readFileSha256, readInputHead, readTextInput, type InputHead } from './input.js';
import type { SensorManifest } from './manifest.js';
import { parseHoneypotFormat, parsePacketFormat } from './rows.js';

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
}

export interface PacketIngestOptions {
  files: readonly string[];
  manifest: SensorManifest;
  /** Attribute every packet to this sensor (for inputs that do not name it). */
  sensor?: string;
  /** Most rejected rows accepted before the ingest fails (default 0). */
  maxErrors?: number;
  geo: GeoResolver;
}

export interface HoneypotIngestOptions {
  name: string;
  files: readonly string[];
  maxErrors?: number;
}

/** How many rejected rows each file lists. */
export const LISTED_PROBLEMS = 10;

const emptySkipped = (): SkippedByKind => ({ fragment: 0, nonIp: 0, otherProtocol: 0 });

/** Buffers rows column-wise and appends them as DuckDB data chunks. */
class ChunkAppender {
  private readonly columns: unknown[][];
  private count = 0;
  static readonly SIZE = 2048;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly types: DuckDBType[],
  ) {
    this.columns = types.map(() => new Array<unknown>(ChunkAppender.SIZE));
  }

  push(...values: unknown[]): void {
    const index = this.count++;
    for (let c = 0; c < values.length; c++) this.columns[c]![index] = values[c];
    if (this.count === ChunkAppender.SIZE) this.flush();
  }

  flush(): void {
    if (this.count === 0) return;
    const chunk = DuckDBDataChunk.create(this.types, this.count);
    const columns = this.count === ChunkAppender.SIZE ? this.columns : this.columns.map((column) => column.slice(0, this.count));
    chunk.setColumns(columns as never);
    this.appender.appendDataChunk(chunk);
    this.count = 0;
  }

  close(): void {
    this.flush();
    this.appender.flushSync();
    this.appender.closeSync();
  }
}

/** Writes the manifest into the store; returns name → id and address → id. */
async function writeSensors(store: Store, manifest: SensorManifest): Promise<{ byName: Map<string, number>; byAddress: Map<string, number> }> {
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

async function isKnownFile(store: Store, sha256: string): Promise<boolean> {
  const rows = await queryRows(store.connection, 'SELECT 1 AS hit FROM files WHERE sha256 = $sha', { sha: sha256 });
  return rows.length > 0;
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
}

async function writeFileRow(store: Store, row: FileRow, clock: () => Date): Promise<void> {
  const s = row.summary;
  await store.connection.run(
    `INSERT INTO files VALUES ($id, $sha, $name, $kind, $format, $honeypot, $at, $packets, $rejected, $fragment, $nonIp, $other, $geoName, $geoDate)`,
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

/** Canonical source address and region, looked up once per distinct text. */
class SourceResolver {
  private readonly cache = new Map<string, [string, string] | null>();
  constructor(private readonly geo: GeoResolver) {}
  resolve(text: string): [string, string] | null {
    let hit = this.cache.get(text);
    if (hit === undefined) {
      const address = parseAddress(text);
      hit = address === null ? null : [address, this.geo.lookup(address)];
      this.cache.set(text, hit);
    }
    return hit;
  }
}

const PACKET_TYPES: DuckDBType[] = [DOUBLE, USMALLINT, VARCHAR, USMALLINT, UTINYINT, VARCHAR, INTEGER];

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
    const sources = new SourceResolver(options.geo);
    const seen = new Set<string>();
    let fileId = await nextFileId(store);
    for (const file of options.files) {
      const head = await readInputHead(file);
      const appender = new ChunkAppender(await store.connection.createAppender('packets'), PACKET_TYPES);
      const id = fileId;
      const summary =
        head.format === 'pcap' || head.format === 'pcapng'
          ? await readCaptureFile(file, head, id, appender, sensors.byAddress, fixedSensor, sources, effects)
          : await readPacketTextFile(file, head, id, appender, sensors, fixedSensor, sources, effects);
      appender.close();
      summaries.push(summary);
      if (seen.has(summary.sha256) || (await isKnownFile(store, summary.sha256))) {
        summary.status = 'duplicate';
        await store.connection.run('DELETE FROM packets WHERE file_id = $id', { id });
        effects.log(`${file}: already ingested (same content), skipped`);
        continue;
      }
      seen.add(summary.sha256);
      await writeFileRow(store, { id, summary, kind: 'packets', honeypot: null, geo: options.geo }, effects.clock);
      fileId++;
    }
    failOnTooManyErrors(summaries, maxErrors);
  });
  return { files: summaries, totals: totalsOf(summaries) };
}

async function readPacketTextFile(
  file: string,
  head: InputHead,
  fileId: number,
  appender: ChunkAppender,
  sensors: { byName: Map<string, number>; byAddress: Map<string, number> },
  fixedSensor: number | null,
  sources: SourceResolver,
  effects: IngestEffects,
): Promise<FileSummary> {
  const parser = parsePacketFormat(head.format as 'csv' | 'ndjson', head.firstLine);
  if (typeof parser === 'string') throw new ReportError('INPUT_INVALID', `${file}:1: ${parser}.`, { hint: 'Check the file format (see DOMAIN.md, "Inputs").' });
  const summary = newSummary(file, parser.format + (head.gzip ? '.gz' : ''));
  const input = readTextInput(file, head.gzip, (bytes) => effects.progress?.(file, bytes, head.size));
  let lineNumber = 0;
  for await (const lines of input.lines()) {
    for (const line of lines) {
      lineNumber++;
      if (lineNumber === 1 && parser.hasHeader) continue;
      const row = parser.parse(line);
      if (row === null) continue;
      summary.read++;
      if (typeof row === 'string') {
        reject(summary, lineNumber, 'line', row);
        continue;
      }
      let sensor: number | undefined;
      if (row.sensor !== null) {
        sensor = sensors.byName.get(row.sensor);
        if (sensor === undefined) {
          reject(summary, lineNumber, 'line', `unknown sensor ${JSON.stringify(row.sensor)} (not in the manifest)`);
          continue;
        }
      } else if (fixedSensor !== null) sensor = fixedSensor;
      else if (row.dst !== null) {
        const dst = parseAddress(row.dst);
        sensor = dst === null ? undefined : sensors.byAddress.get(dst);
        if (sensor === undefined) {
          reject(summary, lineNumber, 'line', `destination ${JSON.stringify(row.dst)} is no sensor's address in the manifest`);
          continue;
        }
      } else {
        reject(summary, lineNumber, 'line', 'no sensor: the row names none; give --sensor');
        continue;
      }
      const source = sources.resolve(row.src);
      if (source === null) {
        reject(summary, lineNumber, 'line', `bad source address ${JSON.stringify(row.src)}`);
        continue;
      }
      appender.push(row.ts, sensor, source[0], row.port, row.proto, source[1], fileId);
      summary.accepted++;
    }
  }
  summary.sha256 = input.sha256();
  return summary;
}

async function readCaptureFile(
  file: string,
  head: InputHead,
  fileId: number,
  appender: ChunkAppender,
  byAddress: Map<string, number>,
  fixedSensor: number | null,
  sources: SourceResolver,
  effects: IngestEffects,
): Promise<FileSummary> {
  const hashing = readFileSha256(file);
  const reader = await openCapture(file, { onProgress: (bytes) => effects.progress?.(file, bytes, head.size) });
  const summary = newSummary(file, reader.format + (head.gzip ? '.gz' : ''));
  // Per capture address index: resolved source, and the sensor its destination is.
  const srcCache: ([string, string] | null)[] = [];
  const dstCache: (number | null)[] = [];
  for await (const batch of reader.batches()) {
    const addresses = reader.addresses;
    for (let i = 0; i < batch.count; i++) {
      const packet = batch.firstPacketNumber + i;
      let sensor = fixedSensor;
      if (sensor === null) {
        const d = batch.dst[i]!;
        let hit = dstCache[d];
        if (hit === undefined) hit = dstCache[d] = byAddress.get(addresses[d]!) ?? null;
        if (hit === null) {
          reject(summary, packet, 'packet', `destination ${addresses[d]} is no sensor's address in the manifest; give --sensor`);
          continue;
        }
        sensor = hit;
      }
      const s = batch.src[i]!;
      let source = srcCache[s];
      if (source === undefined) source = srcCache[s] = sources.resolve(addresses[s]!);
      if (source === null) {
        reject(summary, packet, 'packet', `bad source address ${addresses[s]}`);
        continue;
      }
      appender.push(batch.tsMs[i]!, sensor, source[0], batch.port[i]!, batch.proto[i]!, source[1], fileId);
      summary.accepted++;
    }
  }
  const capture = reader.summary();
  summary.read = capture.frames;
  summary.skipped = { ...capture.skipped };
  for (const problem of capture.rejected) reject(summary, problem.packet, 'packet', problem.reason);
  if (capture.truncated) {
    summary.truncated = `packet ${capture.truncated.packet}: ${capture.truncated.reason}`;
    effects.log(`warning: ${file}: the last record is cut off (${summary.truncated}); the complete records before it are kept`);
  }
  summary.sha256 = await hashing;
  return summary;
}

const HONEYPOT_TYPES: DuckDBType[] = [DOUBLE, VARCHAR, VARCHAR, INTEGER];

/** Ingests honeypot logs for the honeypot `name`, as one transaction. */
export async function ingestHoneypotFiles(store: Store, options: HoneypotIngestOptions, effects: IngestEffects): Promise<IngestSummary> {
  const maxErrors = options.maxErrors ?? 0;
  const summaries: FileSummary[] = [];
  if (!/^\S+$/.test(options.name)) throw new ReportError('BAD_ARGUMENT', `Invalid honeypot name ${JSON.stringify(options.name)}: use one word.`);
  await withTransaction(store, async () => {
    const seen = new Set<string>();
    let fileId = await nextFileId(store);
    for (const file of options.files) {
      const head = await readInputHead(file);
      if (head.format === 'pcap' || head.format === 'pcapng')
        throw new ReportError('INPUT_INVALID', `${file} is a packet capture, not a honeypot log.`, { hint: 'Honeypot logs are NDJSON or CSV with ts and src_ip.' });
      const parser = parseHoneypotFormat(head.format, head.firstLine);
      if (typeof parser === 'string') throw new ReportError('INPUT_INVALID', `${file}:1: ${parser}.`, { hint: 'Honeypot logs are NDJSON or CSV with ts and src_ip.' });
      const summary = newSummary(file, head.format + (head.gzip ? '.gz' : ''));
      const appender = new ChunkAppender(await store.connection.createAppender('honeypot'), HONEYPOT_TYPES);
      const input = readTextInput(file, head.gzip, (bytes) => effects.progress?.(file, bytes, head.size));
      let lineNumber = 0;
      for await (const lines of input.lines()) {
        for (const line of lines) {
          lineNumber++;
          if (lineNumber === 1 && parser.hasHeader) continue;
          const row = parser.parse(line);
          if (row === null) continue;
          summary.read++;
          if (typeof row === 'string') {
            reject(summary, lineNumber, 'line', row);
            continue;
          }
          const src = parseAddress(row.src);
          if (src === null) {
            reject(summary, lineNumber, 'line', `bad source address ${JSON.stringify(row.src)}`);
            continue;
          }
          appender.push(row.ts, options.name, src, fileId);
          summary.accepted++;
        }
      }
      appender.close();
      summary.sha256 = input.sha256();
      summaries.push(summary);
      if (seen.has(summary.sha256) || (await isKnownFile(store, summary.sha256))) {
        summary.status = 'duplicate';
        await store.connection.run('DELETE FROM honeypot WHERE file_id = $id', { id: fileId });
        effects.log(`${file}: already ingested (same content), skipped`);
        continue;
      }
      seen.add(summary.sha256);
      await writeFileRow(store, { id: fileId, summary, kind: 'honeypot', honeypot: options.name, geo: null }, effects.clock);
      fileId++;
    }
    failOnTooManyErrors(summaries, maxErrors);
  });
  return { files: summaries, totals: totalsOf(summaries) };
}
