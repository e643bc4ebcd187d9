/**
 * The capture-reading thread: reads capture files, one at a time as the
 * ingest thread sends them, decodes their packets into columnar batches and
 * hands each batch's buffer to the ingest thread (see capture-thread.ts for
 * the protocol). One thread serves every capture of an ingest, so a folder
 * of small captures pays for starting it (and loading the geolocation data)
 * once. The files are hashed elsewhere (hash-thread.ts), so that this
 * thread, the longest path, only decodes.
 *
 *   file ─► read (4 MiB) ─► decode ─► batch buffer ══transfer══► ingest thread
 *                                       ▲                               │
 *                                       └════════ recycled buffer ══════┘
 *
 * A fixed pool of batch buffers cycles between the two threads, so memory
 * stays bounded and the reader waits when the ingest thread falls behind.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { isReportError } from '../errors.js';
import { loadDefaultGeo, type GeoResolver } from '../geo/geo.js';
import { openCaptureColumns, type CaptureColumnsReader } from './capture.js';
import type { CaptureThreadData, CaptureThreadMessage, SerializedError } from './capture-thread.js';
import { formatIPv4, type AddedAddresses } from './capture/addresses.js';
import { BatchColumns } from './capture/frame.js';
import { NO_REGION, parseRegionCode } from '../geo/region-code.js';

function serializeError(error: unknown): SerializedError {
  if (isReportError(error))
    return {
      report: true,
      code: error.code,
      message: error.message,
      details: [...error.details],
      hint: error.hint,
    };
  const e = error instanceof Error ? error : new Error(String(error));
  return { report: false, message: e.message, stack: e.stack ?? '' };
}

/** Region code of each IPv4 address (NO_REGION for IPv6, which the ingest thread resolves with its address dictionary). */
function codeRegions(geo: GeoResolver | null, added: AddedAddresses): Uint16Array | null {
  if (geo === null) return null;
  const regions = new Uint16Array(added.count);
  for (let i = 0; i < added.count; i++) regions[i] = parseRegionCode(geo.lookup(formatIPv4(added.v4[i]!)));
  for (const [index] of added.v6) regions[index - added.from] = NO_REGION;
  return regions;
}

/** The buffers of added addresses and their regions, to transfer rather than copy. */
const transferOf = (added: AddedAddresses, regions: Uint16Array | null): ArrayBuffer[] =>
  regions ? [added.v4.buffer as ArrayBuffer, regions.buffer as ArrayBuffer] : [added.v4.buffer as ArrayBuffer];

async function runCaptureThread(data: CaptureThreadData): Promise<void> {
  const { port } = data;
  const posted = new Int32Array(data.signal);
  const post = (message: CaptureThreadMessage, transfer: ArrayBuffer[] = []): void => {
    port.postMessage(message, transfer);
    // The ingest thread may be blocked waiting for this counter to move.
    Atomics.add(posted, 0, 1);
    Atomics.notify(posted, 0);
  };
  const free: ArrayBuffer[] = [];
  let wake: (() => void) | undefined;
  // The ingest thread closes its end when it no longer wants this capture (it failed, or is done):
  // the read stops, and the thread is free for the next capture.
  let abandoned = false;
  port.on('message', (buffer: ArrayBuffer) => {
    free.push(buffer);
    wake?.();
  });
  port.on('close', () => {
    abandoned = true;
    wake?.();
  });
  const takeFree = async (): Promise<ArrayBuffer | null> => {
    while (free.length === 0 && !abandoned) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    return abandoned ? null : free.pop()!;
  };

  let reader: CaptureColumnsReader | undefined;
  try {
    const geo = data.geolocate ? loadDefaultGeo() : null;
    let bytesRead = 0;
    reader = await openCaptureColumns(data.path, {
      batchSize: data.batchSize,
      onProgress: (bytes) => (bytesRead = bytes),
      ...(data.sensorsByAddress ? { sensorsByAddress: new Map(data.sensorsByAddress) } : {}),
    });
    for (let i = 1; i < data.buffers; i++)
      free.push(new ArrayBuffer(BatchColumns.bytesFor(data.batchSize)));
    let sent = 0;
    for await (const batch of reader.batches()) {
      const added = reader.addresses.since(sent);
      sent += added.count;
      const buffer = batch.buffer;
      const regions = codeRegions(geo, added);
      post(
        {
          kind: 'batch',
          buffer,
          count: batch.count,
          firstPacketNumber: batch.firstPacketNumber,
          added,
          regions,
          bytesRead,
        },
        [buffer, ...transferOf(added, regions)],
      );
      const next = await takeFree();
      if (next === null) return;
      batch.adopt(next);
    }
    const summary = reader.summary();
    // Only the first few rejected frames are listed; the rest are counted in rejectedTotal.
    summary.rejected = summary.rejected.slice(0, data.listed);
    const rest = reader.addresses.since(sent);
    const regions = codeRegions(geo, rest);
    post({ kind: 'end', summary, added: rest, regions, bytesRead }, transferOf(rest, regions));
  } catch (error) {
    post({ kind: 'error', error: serializeError(error), frames: reader?.summary().frames ?? 0 });
  } finally {
    // Leaving the loop early (abandoned) has closed the file: the batches' generator closes its source.
    port.close();
  }
}

// No top-level await: under tsx this module is loaded as CommonJS (see startWorker in capture-thread.ts).
if (!isMainThread && (workerData as { kind?: string } | null)?.kind === 'capture-reader') {
  // Captures are read one after another, in the order they come.
  let queue = Promise.resolve();
  parentPort!.on('message', (data: CaptureThreadData) => {
    // runCaptureThread reports its own errors to the ingest thread; this only keeps a bug in that from going unseen.
    queue = queue.then(() => runCaptureThread(data)).catch((error: unknown) => {
      throw error;
    });
  });
}
