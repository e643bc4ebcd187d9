/**
 * A capture read on its own thread (capture-worker.ts), seen from the ingest
 * thread: batches arrive in order with the address texts first seen in them,
 * then the capture's summary, or an error. One thread reads the captures of
 * an ingest one after another (CaptureReaderThread).
 *
 * Batches travel over a dedicated message port as one transferred buffer
 * each, and go back over the same port once used. A shared counter, bumped
 * after every message, lets the ingest thread wait for the next one either
 * asynchronously or, inside a DuckDB scan callback that must answer at once,
 * synchronously for a bounded time.
 *
 * A worker that fails reports a ReportError; one that dies without a word
 * (or cannot start) becomes a CAPTURE_FAILED ReportError naming the file and
 * the last packet known to have been read.
 */
import { extname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import { ReportError, type ErrorCode } from '../errors.js';
import type { CaptureSummary } from './capture-types.js';
import type { AddedAddresses } from './capture/addresses.js';
import { BatchColumns } from './capture/frame.js';

/** What the capture thread is started with. */
export interface CaptureThreadData {
  kind: 'capture';
  path: string;
  batchSize: number;
  /** Batch buffers in circulation (at least 2: one being filled, one being used). */
  buffers: number;
  /** How many rejected frames the summary lists. */
  listed: number;
  /** Sensor address → id, to attribute packets by destination; null when the sensor is fixed. */
  sensorsByAddress: [string, number][] | null;
  /** Look up each new IPv4 address's region in the embedded database (loadDefaultGeo). */
  geolocate: boolean;
  port: MessagePort;
  /** Int32 counter of messages posted. */
  signal: SharedArrayBuffer;
}

/** An error as it crosses the thread boundary. */
export type SerializedError =
  | { report: true; code: ErrorCode; message: string; details: string[]; hint: string }
  | { report: false; message: string; stack: string };

export type CaptureThreadMessage =
  | {
      kind: 'batch';
      buffer: ArrayBuffer;
      count: number;
      firstPacketNumber: number;
      /** The addresses first seen since the previous message, in index order. */
      added: AddedAddresses;
      /** With `geolocate`, the region code of each of them (NO_REGION for IPv6). */
      regions: Uint16Array | null;
      bytesRead: number;
    }
  | {
      kind: 'end';
      summary: CaptureSummary;
      added: AddedAddresses;
      regions: Uint16Array | null;
      bytesRead: number;
    }
  | { kind: 'error'; error: SerializedError; frames: number };

export interface CaptureThreadOptions {
  /** Packets per batch (default 65536). */
  batchSize?: number;
  /** Batch buffers in circulation (default 3). */
  buffers?: number;
  /** Rejected frames listed in the summary (default 10). */
  listed?: number;
  sensorsByAddress?: ReadonlyMap<string, number> | null;
  /** Geolocate IPv4 addresses on the capture thread, with the embedded database. */
  geolocate?: boolean;
  /** The reading thread to use, shared with other captures; without it, the capture starts (and ends) its own. */
  reader?: CaptureReaderThread;
  /** With no `reader`: the worker module to run instead of capture-worker (tests use it to stand in a failing or slow reader). */
  workerEntry?: URL;
}

/** One batch received from the capture thread; `release` hands its buffer back. */
export interface ReceivedBatch {
  columns: BatchColumns;
  count: number;
  firstPacketNumber: number;
}

/** The end of a capture read. */
export interface CaptureThreadResult {
  summary: CaptureSummary;
}

/** Handlers for what arrives; called in order on the ingest thread. */
export interface CaptureThreadHandlers {
  /** New addresses, the next indices of the capture's address table, with their region codes when geolocated. */
  addresses(added: AddedAddresses, regions: Uint16Array | null): void;
  progress(bytesRead: number): void;
}

const DEFAULT_BATCH_SIZE = 65_536;

/** Atomics.waitAsync (Node 16+), which TypeScript's ES2023 library does not declare yet. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { value: Promise<string> | string };
  }
).waitAsync;

/**
 * The worker's module next to this one: compiled JavaScript in dist/, or
 * TypeScript when running from source under tsx. Node 20 does not apply
 * `--import` loaders to a worker's entry module, so a TypeScript worker is
 * started through a small script that registers tsx's require hook and loads
 * the module graph as CommonJS: a third of the start-up time of tsx's ESM
 * loader, which starts a loader thread of its own for each worker.
 */
function startWorker(workerEntry?: URL): Worker {
  const here = import.meta.url;
  const entry = fileURLToPath(
    workerEntry ?? new URL(`./capture-worker${extname(fileURLToPath(here))}`, here),
  );
  const options = { workerData: { kind: 'capture-reader' } };
  if (extname(entry) !== '.ts') return new Worker(entry, options);
  const tsx = createRequire(here).resolve('tsx/cjs/api');
  const script = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`;
  return new Worker(script, { ...options, eval: true });
}

/**
 * The thread that reads captures (capture-worker.ts), one after another:
 * started with the first capture and shared by the captures of an ingest,
 * so that each pays a message rather than a thread's start. A capture that
 * fails leaves it serving the next; a thread that dies fails the capture it
 * was reading and every one after.
 */
export class CaptureReaderThread {
  private worker: Worker | undefined;
  /** Set when the thread exits or fails to start; the main event loop sets it, so a synchronous wait cannot see it change. */
  stopped: { code?: number; error?: Error } | undefined;
  /** Settles when the thread has stopped. */
  stop: Promise<void> = new Promise<void>(() => {});
  /** How many threads were started: one at most, whatever the number of captures (tests check it). */
  started = 0;

  constructor(private readonly workerEntry?: URL) {}

  /** Hands the thread a capture to read, starting the thread first if there is none. */
  read(data: CaptureThreadData): void {
    if (this.worker === undefined) {
      const worker = startWorker(this.workerEntry);
      this.started++;
      this.worker = worker;
      this.stop = new Promise<void>((resolve) => {
        worker.once('error', (error) => {
          this.stopped ??= { error };
          resolve();
        });
        worker.once('exit', (code) => {
          this.stopped ??= { code };
          resolve();
        });
      });
    }
    // While a capture is read, the thread keeps the process alive; between captures it does not.
    this.worker.ref();
    this.worker.postMessage(data, [data.port]);
  }

  /** No capture is being read: the process may exit without closing the thread. */
  idle(): void {
    this.worker?.unref();
  }

  /** Ends the thread. */
  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

export class CaptureThread {
  private readonly reader: CaptureReaderThread;
  /** Whether `reader` is this capture's own, to end with it. */
  private readonly ownReader: boolean;
  private readonly port: MessagePort;
  private readonly posted: Int32Array;
  private readonly batchSize: number;
  private result: CaptureThreadResult | undefined;
  private failure: ReportError | undefined;
  /** Highest packet number known to have been read, for messages. */
  private lastPacket = 0;

  constructor(
    private readonly path: string,
    private readonly handlers: CaptureThreadHandlers,
    options: CaptureThreadOptions = {},
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const channel = new MessageChannel();
    this.port = channel.port1;
    const signal = new SharedArrayBuffer(4);
    this.posted = new Int32Array(signal);
    const data: CaptureThreadData = {
      kind: 'capture',
      path,
      batchSize: this.batchSize,
      buffers: Math.max(2, options.buffers ?? 3),
      listed: options.listed ?? 10,
      sensorsByAddress: options.sensorsByAddress ? [...options.sensorsByAddress] : null,
      geolocate: options.geolocate ?? false,
      port: channel.port2,
      signal,
    };
    this.ownReader = options.reader === undefined;
    this.reader = options.reader ?? new CaptureReaderThread(options.workerEntry);
    this.reader.read(data);
  }

  /** The summary, once `next` has returned null. */
  get end(): CaptureThreadResult {
    if (this.result === undefined) throw new Error('the capture has not been read through');
    return this.result;
  }

  /** Hands a batch's buffer back to the capture thread. */
  release(batch: ReceivedBatch): void {
    const buffer = batch.columns.buffer;
    this.port.postMessage(buffer, [buffer]);
  }

  /** The next batch, waiting as long as it takes; null at the end. Throws the capture's error. */
  async next(): Promise<ReceivedBatch | null> {
    for (;;) {
      const seen = Atomics.load(this.posted, 0);
      const message = this.poll();
      if (message !== undefined) return message;
      if (this.result !== undefined) return null;
      if (this.reader.stopped) throw this.died();
      await Promise.race([waitAsync(this.posted, 0, seen).value, this.reader.stop]);
    }
  }

  /**
   * The next batch if it arrives within `waitMs`, blocking this thread
   * meanwhile; undefined if it did not, null at the end.
   */
  nextSync(waitMs: number): ReceivedBatch | null | undefined {
    const deadline = performance.now() + waitMs;
    for (;;) {
      const seen = Atomics.load(this.posted, 0);
      const message = this.poll();
      if (message !== undefined) return message;
      if (this.result !== undefined) return null;
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      Atomics.wait(this.posted, 0, seen, left);
    }
  }

  /** Ends this capture's read (harmless once it has ended); the thread stops too if it was the capture's own. */
  async close(): Promise<void> {
    // The reading thread sees the port close, stops reading this capture and goes on to the next.
    this.port.close();
    if (this.ownReader) await this.reader.close();
    else this.reader.idle();
    // Wakes a `next` still waiting, whose promise would otherwise never settle.
    Atomics.notify(this.posted, 0);
  }

  /** Takes one message off the port: a batch, or undefined once the end or nothing is there. */
  private poll(): ReceivedBatch | undefined {
    if (this.failure) throw this.failure;
    if (this.result !== undefined) return undefined;
    const received = receiveMessageOnPort(this.port);
    if (received === undefined) return undefined;
    const message = received.message as CaptureThreadMessage;
    switch (message.kind) {
      case 'batch': {
        if (message.added.count > 0) this.handlers.addresses(message.added, message.regions);
        this.handlers.progress(message.bytesRead);
        this.lastPacket = Math.max(this.lastPacket, message.firstPacketNumber);
        return {
          columns: new BatchColumns(this.batchSize, message.buffer),
          count: message.count,
          firstPacketNumber: message.firstPacketNumber,
        };
      }
      case 'end':
        if (message.added.count > 0) this.handlers.addresses(message.added, message.regions);
        this.handlers.progress(message.bytesRead);
        this.result = { summary: message.summary };
        return undefined;
      case 'error':
        this.failure = this.reportError(message.error, message.frames);
        throw this.failure;
    }
  }

  private reportError(error: SerializedError, frames: number): ReportError {
    if (error.report)
      return new ReportError(error.code, error.message, {
        details: error.details,
        hint: error.hint,
      });
    const cause = Object.assign(new Error(error.message), { stack: error.stack });
    return new ReportError(
      'CAPTURE_FAILED',
      `${this.path}: reading the capture failed after packet ${Math.max(frames, this.lastPacket)}: ${error.message}`,
      { cause },
    );
  }

  private died(): ReportError {
    const stopped = this.reader.stopped;
    const how = stopped?.error
      ? `failed: ${stopped.error.message}`
      : `stopped unexpectedly (exit code ${stopped?.code ?? 'unknown'})`;
    const where =
      this.lastPacket > 0 ? ` after packet ${this.lastPacket}` : ' before its first packet';
    return new ReportError('CAPTURE_FAILED', `${this.path}: the capture reader ${how}${where}`, {
      cause: stopped?.error,
    });
  }
}
