/**
 * Opening an input file: its SHA-256 (what makes ingest idempotent), whether
 * it is gzip, what format its first bytes say it is, and a stream of its text
 * lines in batches. Files are streamed, never read whole, so memory stays
 * bounded whatever their size.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { ReportError } from '../errors.js';

/** What a file's first bytes say it is. */
export type InputFormat = 'pcap' | 'pcapng' | 'ndjson' | 'csv';

export interface InputHead {
  gzip: boolean;
  format: InputFormat;
  /** The first line of text (the CSV header), when the file is text. */
  firstLine: string;
  size: number;
}

const HEAD_BYTES = 64 * 1024;

/** Peeks at a file to tell its format. */
export async function readInputHead(path: string): Promise<InputHead> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new ReportError('BAD_ARGUMENT', `Cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  let raw: Buffer;
  let size: number;
  try {
    const stats = await handle.stat();
    if (stats.isDirectory())
      throw new ReportError('BAD_ARGUMENT', `${path} is a directory, not a log file.`, { hint: `Pass the files in it, e.g. ${join(path, '*.pcap')}, or the folder to the ingest command.` });
    size = stats.size;
    if (size === 0)
      throw new ReportError('INPUT_INVALID', `${path} is empty (0 bytes): it has no header row or capture header.`, {
        hint: 'Leave the file out, or check that it was written or copied whole.',
      });
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    raw = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  // A cut gzip prefix is not an error here: take what inflates.
  const head = gzip ? gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }) : raw;
  const magic = head.length >= 4 ? head.readUInt32BE(0) : 0;
  let format: InputFormat;
  if ([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic)) format = 'pcap';
  else if (magic === 0x0a0d0d0a) format = 'pcapng';
  else {
    const text = head.toString('utf8').replace(/^\uFEFF/, '');
    format = text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
    const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
    return { gzip, format, firstLine, size };
  }
  return { gzip, format, firstLine: '', size };
}

/** The error for a text file that cannot be read through: for a gzip file, a stream damaged or cut off. */
function formatReadError(path: string, gzip: boolean, cause: unknown): ReportError {
  return new ReportError('INPUT_INVALID', `Cannot read ${path}: ${(cause as Error).message}`, {
    cause,
    hint: gzip ? 'The gzip stream is damaged or cut off; fetch the file again.' : 'Check that the file is readable.',
  });
}

/**
 * Streams the SHA-256 of a file's bytes, reporting bytes read. With `gzip`,
 * the bytes are also inflated (and the text dropped), so that a gzip file cut
 * off or damaged fails here as it fails the line reader, whoever parses it.
 */
export async function readFileSha256(path: string, onProgress?: (bytes: number) => void, options: { gzip?: boolean } = {}): Promise<string> {
  const hash = createHash('sha256');
  let bytes = 0;
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  async function* hashed(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      hash.update(chunk);
      bytes += chunk.length;
      onProgress?.(bytes);
      yield chunk;
    }
  }
  // Reads a stream to its end, dropping what it gives.
  const drain = async (stream: AsyncIterable<Buffer>) => {
    const it = stream[Symbol.asyncIterator]();
    while (!(await it.next()).done);
  };
  if (!options.gzip) {
    await drain(hashed(raw));
    return hash.digest('hex');
  }
  try {
    await pipeline(raw, hashed, createGunzip(), drain);
  } catch (cause) {
    throw formatReadError(path, true, cause);
  }
  return hash.digest('hex');
}

/** A text file being read: lines in batches, and its hash once read through. */
export interface TextInput {
  /** Batches of lines in order; line numbers are counted by the caller. */
  lines(): AsyncIterable<string[]>;
  /** SHA-256 of the file's bytes; available after `lines()` is consumed. */
  sha256(): string;
}

/** Opens a (possibly gzipped) text file for streaming. */
export function readTextInput(path: string, gzip: boolean, onProgress?: (bytes: number) => void): TextInput {
  const hash = createHash('sha256');
  let digest: string | undefined;
  return {
    async *lines() {
      const raw = createReadStream(path, { highWaterMark: 1 << 20 });
      let bytes = 0;
      raw.on('data', (chunk) => {
        hash.update(chunk as Buffer);
        bytes += chunk.length;
        onProgress?.(bytes);
      });
      const source = gzip ? raw.pipe(createGunzip()) : raw;
      if (gzip) raw.on('error', (error) => source.destroy(error));
      source.setEncoding('utf8');
      let rest = '';
      try {
        for await (const chunk of source as AsyncIterable<string>) {
          const text = rest + chunk;
          const lines = text.split('\n');
          rest = lines.pop()!;
          yield lines;
        }
      } catch (cause) {
        throw formatReadError(path, gzip, cause);
      }
      if (rest !== '') yield [rest];
      digest = hash.digest('hex');
    },
    sha256() {
      if (digest === undefined) throw new Error('sha256() called before the input was read through');
      return digest;
    },
  };
}

