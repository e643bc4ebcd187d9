/**
 * Column sinks: rows buffered in typed arrays and appended to a store table
 * as DuckDB data chunks, one vector copy per column per 2048 rows. Nothing
 * is allocated per row, which is what lets captures be appended at millions
 * of packets a second.
 */
import {
  DOUBLE,
  DuckDBDataChunk,
  INTEGER,
  UBIGINT,
  USMALLINT,
  UTINYINT,
  VARCHAR,
  type DuckDBAppender,
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

function appendColumns(appender: DuckDBAppender, types: DuckDBType[], columns: Column[], count: number): void {
  const chunk = DuckDBDataChunk.create(types, count);
  for (let c = 0; c < columns.length; c++) writeVector(chunk.getColumnVector(c), columns[c]!, count);
  appender.appendDataChunk(chunk);
}

/** Rows for `packets (ts, sensor, src, port, proto, region, file_id)`. */
export class PacketSink {
  static readonly TYPES: DuckDBType[] = [DOUBLE, USMALLINT, UBIGINT, USMALLINT, UTINYINT, USMALLINT, INTEGER];
  private readonly ts = new Float64Array(CHUNK_ROWS);
  private readonly sensor = new Uint16Array(CHUNK_ROWS);
  /** Address key as (low, high) 32-bit words. */
  private readonly src = new Uint32Array(CHUNK_ROWS * 2);
  private readonly port = new Uint16Array(CHUNK_ROWS);
  private readonly proto = new Uint8Array(CHUNK_ROWS);
  private readonly region = new Uint16Array(CHUNK_ROWS);
  private readonly fileId: Int32Array;
  private count = 0;
  /** Rows appended so far. */
  rows = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    fileId: number,
  ) {
    this.fileId = new Int32Array(CHUNK_ROWS).fill(fileId);
  }

  push(ts: number, sensor: number, srcKey: number, port: number, proto: number, region: number): void {
    const i = this.count;
    this.ts[i] = ts;
    this.sensor[i] = sensor;
    this.src[2 * i] = srcKey % 0x1_0000_0000;
    this.src[2 * i + 1] = Math.floor(srcKey / 0x1_0000_0000);
    this.port[i] = port;
    this.proto[i] = proto;
    this.region[i] = region;
    if (++this.count === CHUNK_ROWS) this.flush();
  }

  private flush(): void {
    if (this.count === 0) return;
    appendColumns(this.appender, PacketSink.TYPES, [this.ts, this.sensor, this.src, this.port, this.proto, this.region, this.fileId], this.count);
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

/** Appends whole typed columns (any length) to a table, chunk by chunk. */
export function writeColumns(appender: DuckDBAppender, types: DuckDBType[], columns: Column[], rows: number): void {
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, rows - start);
    const slices = columns.map((column, c) => {
      const width = types[c] === UBIGINT ? 2 : 1;
      return column.subarray(start * width, (start + count) * width);
    });
    appendColumns(appender, types, slices, count);
  }
  appender.flushSync();
  appender.closeSync();
}
