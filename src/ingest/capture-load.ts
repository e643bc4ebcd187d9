/**
 * A packet capture into the store, on two threads:
 *
 *   capture thread: read ─► decode + attribute by destination
 *        │ batches (transferred buffers) + new address texts
 *        ▼
 *   this thread: geolocate each new address once; fill DuckDB chunks with
 *        │ bulk copies and three typed-array reads per packet
 *        ▼
 *   DuckDB's threads: INSERT INTO packets SELECT * FROM scan (append, compress)
 *
 * The capture thread runs ahead by at most a few batches. The store is only
 * written inside the caller's transaction, so any failure (a damaged
 * capture, a reader that dies) leaves it unchanged once the caller rolls
 * back.
 */
import { availableParallelism } from 'node:os';
import { loadDefaultGeo, type GeoResolver } from '../geo/geo.js';
import type { Store } from '../store/store.js';
import { CaptureThread, type CaptureReaderThread, type ReceivedBatch } from './capture-thread.js';
import type { CaptureSummary } from './capture-types.js';
import { writePacketScan, type PacketChunk, type PacketChunkSource } from './sink.js';
import { AddressKeyColumns, type SourceKeys } from './sources.js';

export interface CaptureLoadOptions {
  file: string;
  fileId: number;
  /** Sensor address → id, to attribute packets by destination when `fixedSensor` is null. */
  sensorsByAddress: ReadonlyMap<string, number>;
  /** Attribute every packet to this sensor. */
  fixedSensor: number | null;
  sources: SourceKeys;
  /** Rejected frames to list. */
  listed: number;
  onProgress?: (bytesRead: number) => void;
  /** DuckDB threads that append at once (default: the machine's parallelism; DuckDB caps it at its own thread count). */
  insertThreads?: number;
  /** Packets per batch, for tests (default 65536). */
  batchSize?: number;
  /** The reading thread shared by the captures of an ingest; without it, this capture starts its own. */
  reader?: CaptureReaderThread;
  /** A stand-in capture worker, for tests (see CaptureThreadOptions). */
  workerEntry?: URL;
}

export interface CaptureLoadResult {
  /** Packets inserted. */
  inserted: number;
  summary: CaptureSummary;
}

/**
 * How long a scan waits for the capture thread's next batch before it ends
 * (a new scan starts once the batch is there). Only a stalled read waits
 * this long: the capture thread decodes faster than DuckDB appends.
 */
const SCAN_WAIT_MS = 200;

/** Feeds the scans from the capture thread's batches. */
class CaptureFeed implements PacketChunkSource {
  private batch: ReceivedBatch | undefined;
  private at = 0;
  ended = false;

  constructor(
    private readonly thread: CaptureThread,
    private readonly keys: AddressKeyColumns,
    private readonly fixedSensor: number | null,
  ) {}

  /** Waits (without blocking) until a batch is there; false at the end of the capture. */
  async ready(): Promise<boolean> {
    if (this.batch !== undefined) return true;
    if (this.ended) return false;
    const next = await this.thread.next();
    if (next === null) this.ended = true;
    else this.batch = next;
    return !this.ended;
  }

  fill(chunk: PacketChunk, capacity: number): number {
    let written = 0;
    while (written < capacity) {
      let batch = this.batch;
      if (batch === undefined) {
        if (this.ended) break;
        const next = this.thread.nextSync(SCAN_WAIT_MS);
        if (next === undefined) break;
        if (next === null) {
          this.ended = true;
          break;
        }
        batch = this.batch = next;
        this.at = 0;
      }
      const from = this.at;
      const n = Math.min(capacity - written, batch.count - from);
      this.copy(batch, from, n, chunk, written);
      written += n;
      this.at = from + n;
      if (this.at === batch.count) {
        this.thread.release(batch);
        this.batch = undefined;
      }
    }
    return written;
  }

  private copy(
    batch: ReceivedBatch,
    from: number,
    n: number,
    chunk: PacketChunk,
    to: number,
  ): void {
    const columns = batch.columns;
    const end = from + n;
    chunk.ts.set(columns.tsMs.subarray(from, end), to);
    chunk.port.set(columns.port.subarray(from, end), to);
    chunk.proto.set(columns.proto.subarray(from, end), to);
    if (this.fixedSensor === null) chunk.sensor.set(columns.sensor.subarray(from, end), to);
    else chunk.sensor.fill(this.fixedSensor, to, to + n);
    const src = columns.src;
    const keys = this.keys;
    const { low, high, region } = keys;
    const words = chunk.src;
    const regions = chunk.region;
    for (let i = from, j = to; i < end; i++, j++) {
      const s = src[i]!;
      let r = region[s]!;
      if (r === AddressKeyColumns.UNRESOLVED) r = keys.resolve(s);
      words[2 * j] = low[s]!;
      words[2 * j + 1] = high[s]!;
      regions[j] = r;
    }
  }
}

/**
 * Whether `geo` is the embedded database, which the capture thread can load
 * itself and so geolocate new addresses while it decodes (another resolver,
 * such as an .mmdb file, stays on this thread). The name is checked first so
 * that the embedded database is not loaded only to be compared.
 */
function usesEmbeddedGeo(geo: GeoResolver | null): boolean {
  return geo !== null && geo.name.startsWith('geoip-country') && geo === loadDefaultGeo();
}

/**
 * Reads a capture into `packets` as file `fileId`, inside the caller's
 * transaction. Throws a ReportError for a capture that cannot be read.
 */
export async function readCaptureIntoStore(
  store: Store,
  options: CaptureLoadOptions,
): Promise<CaptureLoadResult> {
  const keys = new AddressKeyColumns(options.sources);
  const thread = new CaptureThread(
    options.file,
    {
      addresses: (added, regions) => keys.add(added, regions),
      progress: (bytes) => options.onProgress?.(bytes),
    },
    {
      listed: options.listed,
      sensorsByAddress: options.fixedSensor === null ? options.sensorsByAddress : null,
      geolocate: usesEmbeddedGeo(options.sources.geo),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.reader === undefined ? {} : { reader: options.reader }),
      ...(options.workerEntry === undefined ? {} : { workerEntry: options.workerEntry }),
    },
  );
  try {
    const feed = new CaptureFeed(thread, keys, options.fixedSensor);
    let inserted = 0;
    // One scan normally takes the whole capture; another starts only after a stalled read ended one.
    while (await feed.ready())
      inserted += await writePacketScan(store.connection, feed, options.fileId, {
        threads: options.insertThreads ?? availableParallelism(),
      });
    return { inserted, ...thread.end };
  } finally {
    await thread.close();
  }
}
