/**
 * Reading a capture file's bytes in bounded chunks, plain or gzip-compressed,
 * into one reusable window that record parsers walk in place.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import { pipeline } from 'node:stream';
import { ReportError } from '../../errors.js';

/** Size of one read from the file, and the starting size of the window. */
export const CHUNK_BYTES = 4 << 20;

/** A sequential source of (decompressed) bytes. */
export interface ByteSource {
  /** Copies up to `length` bytes into `into` at `offset`; 0 means the end. */
  read(into: Uint8Array, offset: number, length: number): Promise<number>;
  /** True when a gzip stream ended before its end marker. */
  readonly cutOff: boolean;
  close(): Promise<void>;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Opens `path` as a byte source, decompressing it when it starts with the gzip magic bytes. */
export async function openByteSource(
  path: string,
  onProgress?: (bytesRead: number) => void,
): Promise<{ source: ByteSource; gzip: boolean }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new ReportError(
      'INPUT_INVALID',
      `${path}: cannot open the capture: ${(error as Error).message}`,
      {
        cause: error,
        hint: 'Check the path and the file permissions.',
      },
    );
  }
  const head = new Uint8Array(2);
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(head, 0, 2, 0));
  } catch (error) {
    await handle.close();
    throw unreadable(path, error);
  }
  if (bytesRead === 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1) {
    await handle.close();
    return { source: new GzipSource(path, onProgress), gzip: true };
  }
  return { source: new FileSource(path, handle, onProgress), gzip: false };
}

function unreadable(path: string, error: unknown): ReportError {
  return new ReportError(
    'INPUT_INVALID',
    `${path}: cannot read the capture: ${(error as Error).message}`,
    {
      cause: error,
      hint: 'Check the path and the file permissions.',
    },
  );
}

class FileSource implements ByteSource {
  readonly cutOff = false;
  private position = 0;

  constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    private readonly onProgress: ((bytesRead: number) => void) | undefined,
  ) {}

  async read(into: Uint8Array, offset: number, length: number): Promise<number> {
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.handle.read(into, offset, length, this.position));
    } catch (error) {
      throw unreadable(this.path, error);
    }
    this.position += bytesRead;
    if (bytesRead > 0) this.onProgress?.(this.position);
    return bytesRead;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

class GzipSource implements ByteSource {
  cutOff = false;
  private readonly file: ReadStream;
  private readonly gunzip: Gunzip;
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer | undefined;
  private pendingAt = 0;
  private done = false;

  constructor(
    private readonly path: string,
    private readonly onProgress: ((bytesRead: number) => void) | undefined,
  ) {
    this.file = createReadStream(path, { highWaterMark: 1 << 20 });
    this.gunzip = createGunzip({ chunkSize: 1 << 20 });
    // Errors reach the consumer through the gunzip iterator; the callback only has to exist.
    pipeline(this.file, this.gunzip, () => {});
    this.chunks = this.gunzip[Symbol.asyncIterator]();
  }

  async read(into: Uint8Array, offset: number, length: number): Promise<number> {
    let copied = 0;
    while (copied < length) {
      if (this.pending === undefined) {
        if (this.done || copied > 0) break;
        const chunk = await this.nextChunk();
        if (chunk === undefined) break;
        this.pending = chunk;
        this.pendingAt = 0;
      }
      const n = Math.min(length - copied, this.pending.length - this.pendingAt);
      into.set(this.pending.subarray(this.pendingAt, this.pendingAt + n), offset + copied);
      copied += n;
      this.pendingAt += n;
      if (this.pendingAt === this.pending.length) this.pending = undefined;
    }
    return copied;
  }

  private async nextChunk(): Promise<Buffer | undefined> {
    try {
      const next = await this.chunks.next();
      this.onProgress?.(this.file.bytesRead);
      if (next.done) {
        this.done = true;
        return undefined;
      }
      return next.value;
    } catch (error) {
      this.done = true;
      const code = (error as { code?: string }).code;
      // zlib reports a stream that stops before its end marker as a buffer error: the file was cut off.
      if (code === 'Z_BUF_ERROR') {
        this.cutOff = true;
        return undefined;
      }
      if (typeof code === 'string' && code.startsWith('Z_')) {
        throw new ReportError(
          'INPUT_INVALID',
          `${this.path}: the gzip data is corrupt near compressed byte ${this.file.bytesRead}: ${(error as Error).message}`,
          {
            cause: error,
            hint: 'Check the file with `gzip -t`; recompress it from the original capture if you have it.',
          },
        );
      }
      throw unreadable(this.path, error);
    }
  }

  async close(): Promise<void> {
    this.done = true;
    this.gunzip.destroy();
    this.file.destroy();
  }
}

/**
 * A window over the byte stream. Parsers read records in `buf[pos..end)` and
 * advance `pos`; `fill` slides the unread tail to the front and reads more.
 * The window grows only as far as the largest record needs.
 */
export class StreamWindow {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  end = 0;
  /** Stream offset of `buf[0]`. */
  base = 0;
  eof = false;

  constructor(
    private readonly source: ByteSource,
    initialBytes = CHUNK_BYTES,
  ) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Stream offset of `buf[pos]`. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Makes at least `need` unread bytes available; false if the stream ends first. */
  async fill(need: number): Promise<boolean> {
    if (this.end - this.pos >= need) return true;
    if (this.eof) return false;
    if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
      this.base += this.pos;
      this.end -= this.pos;
      this.pos = 0;
    }
    if (need > this.buf.length) {
      const grown = new Uint8Array(need + CHUNK_BYTES);
      grown.set(this.buf.subarray(0, this.end));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    while (this.end < need) {
      const n = await this.source.read(this.buf, this.end, this.buf.length - this.end);
      if (n === 0) {
        this.eof = true;
        return false;
      }
      this.end += n;
    }
    return true;
  }
}
