/**
 * Capture-reader throughput: writes a pcap of synthetic telescope traffic
 * (TCP, UDP and ICMP from ~100k sources to a few dozen sensors), then reads it
 * back twice, timing each:
 *
 *   floor   the same file through the same 4 MiB chunked window, touching one
 *           byte per record: the cost of I/O and framing alone;
 *   decode  openCapture() decoding every frame into batches (no store).
 *
 * Prints packets/s for both, their ratio, and the peak RSS.
 *
 *   node --import tsx bench/capture.ts [packets]
 */
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openCapture } from '../src/ingest/capture.js';
import { CHUNK_BYTES, openByteSource, StreamWindow } from '../src/ingest/capture/byte-source.js';

const DEFAULT_PACKETS = 5_000_000;
const DISTINCT_SOURCES = 100_000;
const SENSORS = 32;

/** Writes `count` Ethernet/IPv4 frames as a little-endian microsecond pcap; returns the file size. */
export function writeSyntheticPcap(file: string, count: number, seed = 1): number {
  let state = seed >>> 0;
  // xorshift32: deterministic, so every run reads the same capture.
  const random = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  const sources = new Uint32Array(DISTINCT_SOURCES);
  for (let i = 0; i < sources.length; i++) sources[i] = random() | 0x01000000;
  const popularPorts = [
    23, 22, 80, 443, 445, 8080, 3389, 6379, 5555, 1433, 2323, 81, 8443, 37215, 52869,
  ];
  const chunk = Buffer.alloc(CHUNK_BYTES);
  const fd = openSync(file, 'w');
  let size = 0;
  let at = 0;
  const flush = (): void => {
    writeSync(fd, chunk, 0, at);
    size += at;
    at = 0;
  };
  chunk.writeUInt32LE(0xa1b2c3d4, 0);
  chunk.writeUInt16LE(2, 4);
  chunk.writeUInt16LE(4, 6);
  chunk.writeUInt32LE(262144, 16);
  chunk.writeUInt32LE(1, 20);
  at = 24;
  let tsUs = 1_633_014_000_000_000; // 2021-09-30T15:00Z
  for (let i = 0; i < count; i++) {
    const r = random();
    const kind = r % 10; // 0-6 TCP, 7-8 UDP, 9 ICMP
    const transportBytes = kind < 7 ? 20 : kind < 9 ? 8 + ((r >>> 24) % 64) : 8;
    const ipBytes = 20 + transportBytes;
    const caplen = Math.max(14 + ipBytes, 60);
    if (at + 16 + caplen > chunk.length) flush();
    tsUs += 1 + ((r >>> 8) % 50);
    chunk.writeUInt32LE(Math.floor(tsUs / 1e6), at);
    chunk.writeUInt32LE(tsUs % 1e6, at + 4);
    chunk.writeUInt32LE(caplen, at + 8);
    chunk.writeUInt32LE(caplen, at + 12);
    const f = at + 16;
    chunk.fill(0, f, f + caplen);
    chunk[f] = 0x02;
    chunk[f + 6] = 0x02;
    chunk.writeUInt16BE(0x0800, f + 12);
    const ip = f + 14;
    chunk[ip] = 0x45;
    chunk.writeUInt16BE(ipBytes, ip + 2);
    chunk[ip + 8] = 64;
    chunk[ip + 9] = kind < 7 ? 6 : kind < 9 ? 17 : 1;
    // Skewed towards a few heavy sources, as scanners are.
    const s = random();
    const source = sources[s & 1 ? (s >>> 1) % 1000 : (s >>> 1) % DISTINCT_SOURCES]!;
    chunk.writeUInt32BE(source, ip + 12);
    chunk.writeUInt32BE(0xc0000200 + ((s >>> 27) % SENSORS), ip + 16);
    const t = ip + 20;
    const p = random();
    const port = p & 3 ? popularPorts[p % popularPorts.length]! : p >>> 16;
    if (kind < 9) {
      chunk.writeUInt16BE(1024 + (p >>> 20), t);
      chunk.writeUInt16BE(port, t + 2);
      if (kind < 7) chunk[t + 12] = 0x50;
    } else {
      chunk[t] = p & 1 ? 8 : 3;
    }
    at += 16 + caplen;
  }
  flush();
  closeSync(fd);
  return size;
}

/** Walks the pcap records with the reader's own chunking, summing one byte per record. */
async function readFloor(file: string): Promise<{ records: number; checksum: number }> {
  const { source } = await openByteSource(file);
  const window = new StreamWindow(source);
  let records = 0;
  let checksum = 0;
  try {
    await window.fill(24);
    window.pos = 24;
    for (;;) {
      const buf = window.buf;
      const view = window.view;
      const end = window.end;
      let pos = window.pos;
      let need = 0;
      for (;;) {
        if (end - pos < 16) {
          need = 16;
          break;
        }
        const size = 16 + view.getUint32(pos + 8, true);
        if (end - pos < size) {
          need = size;
          break;
        }
        checksum += buf[pos + 16 + 23]!;
        records++;
        pos += size;
      }
      window.pos = pos;
      if (!(await window.fill(need))) break;
    }
  } finally {
    await source.close();
  }
  return { records, checksum };
}

/** Plain stream throughput of the same file, for comparison with the floor. */
async function readStreamed(file: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES }))
    bytes += (chunk as Buffer).length;
  return bytes;
}

async function readDecoded(
  file: string,
): Promise<{ packets: number; frames: number; addresses: number; checksum: number }> {
  const reader = await openCapture(file);
  let packets = 0;
  let checksum = 0;
  for await (const batch of reader.batches()) {
    packets += batch.count;
    for (let i = 0; i < batch.count; i += 97) checksum += batch.port[i]! + batch.src[i]!;
  }
  return { packets, frames: reader.summary().frames, addresses: reader.addresses.size, checksum };
}

function formatRate(count: number, ms: number): string {
  return `${(((count / ms) * 1000) / 1e6).toFixed(2)} M packets/s`;
}

export async function benchCaptureRead(packets = DEFAULT_PACKETS): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsubame-bench-capture-'));
  const file = path.join(dir, 'synthetic.pcap');
  try {
    let started = performance.now();
    const bytes = writeSyntheticPcap(file, packets);
    console.log(
      `capture: wrote ${packets} packets, ${(bytes / 2 ** 20).toFixed(0)} MiB, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    statSync(file);

    // One untimed pass so that both timed passes read from the page cache.
    await readFloor(file);

    started = performance.now();
    const floor = await readFloor(file);
    const floorMs = performance.now() - started;

    started = performance.now();
    const streamed = await readStreamed(file);
    const streamMs = performance.now() - started;

    started = performance.now();
    const decoded = await readDecoded(file);
    const decodeMs = performance.now() - started;

    if (floor.records !== packets || decoded.frames !== packets) {
      throw new Error(
        `read ${floor.records} records and ${decoded.frames} frames, expected ${packets}`,
      );
    }
    const floorRate = (floor.records / floorMs) * 1000;
    const decodeRate = (decoded.packets / decodeMs) * 1000;
    console.log(
      `capture: floor (chunked read + framing): ${formatRate(floor.records, floorMs)}, ${(((bytes / floorMs) * 1000) / 2 ** 20).toFixed(0)} MiB/s`,
    );
    console.log(
      `capture: fs.createReadStream alone:     ${(((streamed / streamMs) * 1000) / 2 ** 20).toFixed(0)} MiB/s`,
    );
    console.log(
      `capture: decode into batches:           ${formatRate(decoded.packets, decodeMs)} (${decoded.addresses} distinct addresses)`,
    );
    console.log(`capture: decode / floor = ${(decodeRate / floorRate).toFixed(2)}`);
    console.log(`capture: peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const packets = process.argv[2] === undefined ? DEFAULT_PACKETS : Number(process.argv[2]);
  await benchCaptureRead(packets);
}
