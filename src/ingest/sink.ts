/**
 * Column sinks: rows buffered in typed arrays and appended to a store table
 * as DuckDB data chunks, one vector copy per column per 2048 rows. Nothing
 * is allocated per row, which is what lets captures be appended at millions
 * of packets a second.
 *
 * Captures go one step further (writePacketScan): DuckDB pulls their rows
 * through a table function inside one INSERT … SELECT, so that appending and
 * compressing run on DuckDB's threads while this one only fills chunks.
 */
import {
  DOUBLE,
  DuckDBDataChunk,
  DuckDBTableFunction,
  INTEGER,
  UBIGINT,
  USMALLINT,
  UTINYINT,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBVector,
} from '@duckdb/node-api';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

type Column = Float64Array | Uint16Array | Uint8Array | Int32Array | Uint32Array;

/**
 * Copies `values` into a chunk's vector. The node API keeps each vector's
 * data in a typed array (`items`) that `flush()` copies to DuckDB; filling it
 * with one `set` is ~50× faster than `setItem` per row. A UBIGINT column is
 * given as pairs of 32-bit words (low, high), which avoids a BigInt per row.
 */
function writeVector(vector: DuckDBVector, values: Column, count: number): void {
  const items = (vector as unknown as { items?: ArrayBufferView }).items;
  if (items instanceof BigUint64Array) {
    new Uint32Array(items.buffer, items.byteOffset, count * 2).set(values.subarray(0, count * 2));
  } else if (items !== undefined && ArrayBuffer.isView(items) && items.constructor === values.constructor) {
    (items as Column).set(values.subarray(0, count));
  } else {
    throw new Error(`unexpected vector storage for ${String(vector.type)}`);
  }
  vector.flush();
}

/** The typed array behind a chunk vector (see writeVector), for writing rows straight into it. */
function vectorItems<T extends Column>(vector: DuckDBVector, kind: new (buffer: ArrayBuffer, offset: number, length: number) => T): T {
  const items = (vector as unknown as { items?: ArrayBufferView }).items;
  if (items === undefined || !ArrayBuffer.isView(items)) throw new Error(`unexpected vector storage for ${String(vector.type)}`);
  const bytes = items.byteLength;
  return new kind(items.buffer as ArrayBuffer, items.byteOffset, bytes / (kind as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
}

/**
 * Rows for `packets (ts, sensor, src, port, proto, region, file_id)`,
 * written straight into one reused data chunk's vectors: per 2048 rows the
 * only work besides the row writes is one copy per column into DuckDB and
 * the append itself.
 */
export class PacketSink {
  static readonly TYPES: DuckDBType[] = [DOUBLE, USMALLINT, UBIGINT, USMALLINT, UTINYINT, USMALLINT, INTEGER];
  private readonly chunk: DuckDBDataChunk;
  private readonly vectors: DuckDBVector[];
  private readonly ts: Float64Array;
  private readonly sensor: Uint16Array;
  /** Address key as (low, high) 32-bit words. */
  private readonly src: Uint32Array;
  private readonly port: Uint16Array;
  private readonly proto: Uint8Array;
  private readonly region: Uint16Array;
  private count = 0;
  /** Rows appended so far. */
  rows = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    fileId: number,
  ) {
    this.chunk = DuckDBDataChunk.create(PacketSink.TYPES, CHUNK_ROWS);
    this.vectors = PacketSink.TYPES.map((_, c) => this.chunk.getColumnVector(c));
    this.ts = vectorItems(this.vectors[0]!, Float64Array);
    this.sensor = vectorItems(this.vectors[1]!, Uint16Array);
    this.src = vectorItems(this.vectors[2]!, Uint32Array);
    this.port = vectorItems(this.vectors[3]!, Uint16Array);
    this.proto = vectorItems(this.vectors[4]!, Uint8Array);
    this.region = vectorItems(this.vectors[5]!, Uint16Array);
    vectorItems(this.vectors[6]!, Int32Array).fill(fileId);
  }

  push(ts: number, sensor: number, srcKey: number, port: number, proto: number, region: number): void {
    const i = this.count;
    this.ts[i] = ts;
    this.sensor[i] = sensor;
    if (srcKey < 0x1_0000_0000) {
      this.src[2 * i] = srcKey;
      this.src[2 * i + 1] = 0;
    } else {
      this.src[2 * i] = srcKey % 0x1_0000_0000;
      this.src[2 * i + 1] = Math.floor(srcKey / 0x1_0000_0000);
    }
    this.port[i] = port;
    this.proto[i] = proto;
    this.region[i] = region;
    if (++this.count === CHUNK_ROWS) this.flush();
  }

  private flush(): void {
    if (this.count === 0) return;
    for (const vector of this.vectors) vector.flush();
    // Only the last chunk is short; shrinking it drops the cached vectors, which are not used again.
    if (this.count < CHUNK_ROWS) this.chunk.rowCount = this.count;
    this.appender.appendDataChunk(this.chunk);
    this.rows += this.count;
    this.count = 0;
  }

  close(): void {
    this.flush();
    this.appender.flushSync();
    this.appender.closeSync();
  }
}

/** Rows for `honeypot (ts, name, src, file_id)`; the name is one per sink. */
export class HoneypotSink {
  static readonly TYPES: DuckDBType[] = [DOUBLE, VARCHAR, UBIGINT, INTEGER];
  private readonly ts = new Float64Array(CHUNK_ROWS);
  private readonly src = new Uint32Array(CHUNK_ROWS * 2);
  private readonly fileId: Int32Array;
  private count = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly name: string,
    fileId: number,
  ) {
    this.fileId = new Int32Array(CHUNK_ROWS).fill(fileId);
  }

  push(ts: number, srcKey: number): void {
    const i = this.count;
    this.ts[i] = ts;
    this.src[2 * i] = srcKey % 0x1_0000_0000;
    this.src[2 * i + 1] = Math.floor(srcKey / 0x1_0000_0000);
    if (++this.count === CHUNK_ROWS) this.flush();
  }

  private flush(): void {
    if (this.count === 0) return;
    const chunk = DuckDBDataChunk.create(HoneypotSink.TYPES, this.count);
    writeVector(chunk.getColumnVector(0), this.ts, this.count);
    chunk.setColumnValues(1, new Array<string>(this.count).fill(this.name));
    writeVector(chunk.getColumnVector(2), this.src, this.count);
    writeVector(chunk.getColumnVector(3), this.fileId, this.count);
    this.appender.appendDataChunk(chunk);
    this.count = 0;
  }

  close(): void {
    this.flush();
    this.appender.flushSync();
    this.appender.closeSync();
  }
}

/** The columns of one chunk of `packets` rows, written in place; `src` holds (low, high) 32-bit words. */
export interface PacketChunk {
  ts: Float64Array;
  sensor: Uint16Array;
  src: Uint32Array;
  port: Uint16Array;
  proto: Uint8Array;
  region: Uint16Array;
}

/** Where a packets scan gets its rows. */
export interface PacketChunkSource {
  /**
   * Writes up to `capacity` rows at the start of the chunk's columns and
   * returns how many. Returning 0 ends this scan (a later scan may go on
   * from there). Called on this thread while DuckDB waits for the chunk; an
   * error it throws fails the INSERT and is rethrown by writePacketScan.
   */
  fill(chunk: PacketChunk, capacity: number): number;
}

interface ActiveScan {
  source: PacketChunkSource;
  fileId: number;
  threads: number;
  rows: number;
  error?: unknown;
}

const SCAN_FUNCTION = 'tsubame_packet_scan';
const PACKET_COLUMNS = ['ts', 'sensor', 'src', 'port', 'proto', 'region', 'file_id'];
const activeScans = new Map<number, ActiveScan>();
const scanConnections = new WeakSet<DuckDBConnection>();
let nextScanId = 1;

function createPacketScanFunction(): DuckDBTableFunction {
  return DuckDBTableFunction.create({
    name: SCAN_FUNCTION,
    parameterTypes: [INTEGER],
    bindFunction: (info) => {
      PACKET_COLUMNS.forEach((name, c) => info.addResultColumn(name, PacketSink.TYPES[c]!));
      info.setBindData({ id: info.getParameter(0) as number });
    },
    initFunction: (info) => {
      const scan = activeScans.get((info.bindData as { id: number }).id);
      info.setMaxThreads(scan?.threads ?? 1);
    },
    mainFunction: (info, output) => {
      const scan = activeScans.get((info.bindData as { id: number }).id);
      if (scan === undefined || scan.error !== undefined) {
        output.rowCount = 0;
        return;
      }
      output.rowCount = CHUNK_ROWS;
      const vectors = PacketSink.TYPES.map((_, c) => output.getColumnVector(c));
      let rows: number;
      try {
        rows = scan.source.fill(
          {
            ts: vectorItems(vectors[0]!, Float64Array),
            sensor: vectorItems(vectors[1]!, Uint16Array),
            src: vectorItems(vectors[2]!, Uint32Array),
            port: vectorItems(vectors[3]!, Uint16Array),
            proto: vectorItems(vectors[4]!, Uint8Array),
            region: vectorItems(vectors[5]!, Uint16Array),
          },
          CHUNK_ROWS,
        );
      } catch (error) {
        scan.error = error;
        info.setError(error instanceof Error ? error.message : String(error));
        output.rowCount = 0;
        return;
      }
      if (rows > 0) {
        vectorItems(vectors[6]!, Int32Array).fill(scan.fileId, 0, rows);
        for (const vector of vectors) vector.flush();
      }
      if (rows < CHUNK_ROWS) output.rowCount = rows;
      scan.rows += rows;
    },
  });
}

async function readSetting(connection: DuckDBConnection, name: string): Promise<string> {
  const reader = await connection.runAndReadAll(`SELECT CAST(current_setting('${name}') AS VARCHAR)`);
  return String(reader.getRows()[0]![0]);
}

/**
 * Inserts the rows `source` gives into `packets` (with `fileId`) in one
 * INSERT … SELECT from a table function, until the source returns 0.
 * DuckDB appends, and compresses what it writes ahead to the database file,
 * on its own threads; with `threads` > 1 several of them ask for chunks, and
 * the rows' order in the table is not kept. Resolves with the rows inserted.
 */
export async function writePacketScan(
  connection: DuckDBConnection,
  source: PacketChunkSource,
  fileId: number,
  options: { threads?: number } = {},
): Promise<number> {
  if (!scanConnections.has(connection)) {
    connection.registerTableFunction(createPacketScanFunction());
    scanConnections.add(connection);
  }
  const id = nextScanId++;
  const scan: ActiveScan = { source, fileId, threads: options.threads ?? 1, rows: 0 };
  activeScans.set(id, scan);
  // DuckDB appends on several threads only when it need not keep the source's row order.
  const ordered = scan.threads > 1 ? await readSetting(connection, 'preserve_insertion_order') : undefined;
  try {
    if (ordered !== undefined) await connection.run('SET preserve_insertion_order = false');
    await connection.run(`INSERT INTO packets (${PACKET_COLUMNS.join(', ')}) SELECT * FROM ${SCAN_FUNCTION}(${id})`);
  } catch (error) {
    throw scan.error ?? error;
  } finally {
    activeScans.delete(id);
    if (ordered !== undefined) await connection.run(`SET preserve_insertion_order = ${ordered}`);
  }
  if (scan.error !== undefined) throw scan.error;
  return scan.rows;
}
