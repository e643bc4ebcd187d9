/**
 * A stand-in for src/ingest/capture-worker.ts in the capture-thread tests:
 * it speaks the same protocol but misbehaves on purpose, as its `path` says.
 *   throws-on-start      the module fails before posting anything
 *   exits-after-a-batch  one batch, then the thread exits without a word
 *   stalls               three batches of three packets, 300 ms apart (longer
 *                        than a scan waits), then the end
 * No top-level await: under tsx the worker's modules load as CommonJS.
 */
import { parentPort } from 'node:worker_threads';
import type { CaptureThreadData, CaptureThreadMessage } from '../../src/ingest/capture-thread.js';
import type { AddedAddresses } from '../../src/ingest/capture/addresses.js';
import { BatchColumns } from '../../src/ingest/capture/frame.js';

function post(data: CaptureThreadData, message: CaptureThreadMessage, transfer: ArrayBuffer[] = []): void {
  data.port.postMessage(message, transfer);
  const posted = new Int32Array(data.signal);
  Atomics.add(posted, 0, 1);
  Atomics.notify(posted, 0);
}

/** Addresses sent so far in the capture being read. */
let sent = 0;

/** `addresses` (IPv4) as the next addresses of the table, as a batch carries them. */
function added(addresses: string[]): AddedAddresses {
  const v4 = new Uint32Array(addresses.map((a) => a.split('.').reduce((key, part) => key * 256 + Number(part), 0)));
  const from = sent;
  sent += addresses.length;
  return { from, count: addresses.length, v4, v6: [] };
}

/** Three packets from 192.0.2.1 (address 0) to 192.0.2.10 (address 1, sensor 0), numbered from `first`. */
function postBatch(data: CaptureThreadData, first: number, addresses: string[]): void {
  const batch = new BatchColumns(data.batchSize);
  for (let i = 0; i < 3; i++) {
    batch.tsMs[i] = Date.UTC(2021, 9, 1) + (first + i) * 1000;
    batch.src[i] = 0;
    batch.dst[i] = 1;
    batch.sensor[i] = 0;
    batch.port[i] = 23;
    batch.proto[i] = 0;
  }
  const buffer = batch.buffer;
  post(
    data,
    {
      kind: 'batch',
      buffer,
      count: 3,
      firstPacketNumber: first,
      added: added(addresses),
      regions: null,
      bytesRead: first * 100,
    },
    [buffer],
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(data: CaptureThreadData): Promise<void> {
  sent = 0;
  switch (data.path) {
    case 'throws-on-start':
      throw new Error('the stand-in reader cannot start');
    case 'exits-after-a-batch':
      postBatch(data, 1, ['192.0.2.1', '192.0.2.10']);
      await sleep(50);
      process.exit(3);
      break;
    case 'stalls':
      postBatch(data, 1, ['192.0.2.1', '192.0.2.10']);
      await sleep(300);
      postBatch(data, 4, []);
      await sleep(300);
      postBatch(data, 7, []);
      post(data, {
        kind: 'end',
        summary: {
          format: 'pcap',
          frames: 9,
          accepted: 9,
          skipped: { fragment: 0, nonIp: 0, otherProtocol: 0 },
          rejected: [],
          rejectedTotal: 0,
        },
        added: added([]),
        regions: null,
        bytesRead: 900,
      });
      break;
  }
}

// Like capture-worker: captures arrive as messages (here only one is ever sent).
parentPort!.once('message', (data: CaptureThreadData) => {
  run(data).catch((error: unknown) => {
    throw error;
  });
});
