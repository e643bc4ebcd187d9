/**
 * The SHA-256 of a file, on a thread of its own. A capture's ingest is as
 * fast as its reading thread, which decodes every packet; hashing beside
 * that thread instead of in it takes a sixth of its work off the longest
 * path (the file is read twice, the second time from the page cache).
 */
import { Worker } from 'node:worker_threads';
import { ReportError } from '../errors.js';

// CommonJS run with eval: the same from the sources and from the bundle, needing none of the package's modules.
const HASH_THREAD_SOURCE = `
const { createHash } = require('node:crypto');
const { createReadStream } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const hash = createHash('sha256');
createReadStream(workerData, { highWaterMark: 1 << 20 })
  .on('data', (chunk) => hash.update(chunk))
  .on('error', (error) => parentPort.postMessage({ error: error.message }))
  .on('end', () => parentPort.postMessage({ sha256: hash.digest('hex') }));
`;

export interface FileHashing {
  /** The file's SHA-256 (hex), once read through. */
  readonly result: Promise<string>;
  /** Ends the thread, whether or not it has finished. */
  stop(): Promise<void>;
}

/** Starts hashing `path` on a new thread. */
export function hashFileOnThread(path: string): FileHashing {
  const worker = new Worker(HASH_THREAD_SOURCE, { eval: true, workerData: path });
  const result = new Promise<string>((resolve, reject) => {
    worker.once('message', (message: { sha256?: string; error?: string }) => {
      if (message.sha256 !== undefined) resolve(message.sha256);
      else reject(new ReportError('INPUT_INVALID', `Cannot read ${path}: ${message.error}`, { hint: 'Check the path and the file permissions.' }));
    });
    worker.once('error', reject);
    // Settles nothing once a message came; otherwise the thread died without a word.
    worker.once('exit', (code) => reject(new Error(`the thread hashing ${path} stopped (exit code ${code})`)));
  });
  // The caller awaits the result only once its own work is done; a failure meanwhile is not unhandled.
  result.catch(() => undefined);
  return {
    result,
    stop: async () => {
      await worker.terminate();
    },
  };
}
