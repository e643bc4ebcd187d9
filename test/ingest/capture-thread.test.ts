import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isReportError } from '../../src/errors.js';
import { readCaptureIntoStore } from '../../src/ingest/capture-load.js';
import { CaptureReaderThread, CaptureThread } from '../../src/ingest/capture-thread.js';
import { openCapture } from '../../src/ingest/capture.js';
import { ingestPacketFiles } from '../../src/ingest/ingest.js';
import { parseManifest } from '../../src/ingest/manifest.js';
import { SourceKeys } from '../../src/ingest/sources.js';
import {
  formatAddressSql,
  MEMORY_STORE,
  openStore,
  queryRows,
  withTransaction,
  type Store,
} from '../../src/store/store.js';
import { fixtureGeo } from '../aggregate/fixture.js';
import {
  arp,
  buildPcap,
  ethernet,
  ipv4,
  ipv6,
  tcp,
  udp,
  type PcapRecord,
} from '../helpers/capture-writer.js';

const effects = { log: () => {}, clock: () => new Date('2022-01-01T00:00:00Z') };
const manifest = parseManifest(
  'sensor,country,address\ns1,JP,192.0.2.10\ns2,JP,2001:db8::20\n',
  'sensors.csv',
);
const STAND_IN = new URL('./capture-stand-in-worker.ts', import.meta.url);
const START = Date.UTC(2021, 9, 1) / 1000;

/**
 * A capture of `n` packets: TCP and UDP from many IPv4 and a few IPv6
 * sources to the two sensors, with a frame for another address every 97th
 * packet, a cut-off IPv4 header every 89th and an ARP frame every 83rd.
 */
function renderCapture(n: number): { pcap: Buffer; expected: string[]; rejected: number[] } {
  const records: PcapRecord[] = [];
  const expected: string[] = [];
  const rejected: number[] = [];
  for (let i = 1; i <= n; i++) {
    const sec = START + i;
    if (i % 83 === 0) {
      records.push({ sec, frac: 0, data: arp() });
      continue;
    }
    if (i % 89 === 0) {
      records.push({ sec, frac: 0, data: ethernet(new Uint8Array(12)) });
      rejected.push(i);
      continue;
    }
    const port = 1000 + (i % 50);
    const v6 = i % 10 === 0;
    const src = v6
      ? `2001:db8:1::${((i % 7) + 1).toString(16)}`
      : `198.51.${(i >> 8) & 255}.${i & 255}`;
    const stray = i % 97 === 0;
    const payload = i % 3 === 0 ? udp(port) : tcp(port);
    const protocol = i % 3 === 0 ? 17 : 6;
    const data = v6
      ? ethernet(
          ipv6({ src, dst: stray ? '2001:db8::99' : '2001:db8::20', protocol, payload }),
          0x86dd,
        )
      : ethernet(ipv4({ src, dst: stray ? '192.0.2.99' : '192.0.2.10', protocol, payload }));
    records.push({ sec, frac: 250_000, data });
    if (stray) rejected.push(i);
    else
      expected.push(
        `${sec * 1000 + 250}|${v6 ? 's2' : 's1'}|${src}|${port}|${protocol === 17 ? 1 : 0}`,
      );
  }
  return { pcap: buildPcap({ records }), expected, rejected };
}

async function storedRows(store: Store): Promise<string[]> {
  const rows = await queryRows<{
    ts: number;
    name: string;
    src: string;
    port: number;
    proto: number;
  }>(
    store.connection,
    `SELECT p.ts, s.name, ${formatAddressSql('p.src')} AS src, p.port, p.proto FROM packets p JOIN sensors s ON s.id = p.sensor`,
  );
  return rows.map((r) => `${r.ts}|${r.name}|${r.src}|${r.port}|${r.proto}`).sort();
}

describe('ingest: captures read on their own thread', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsubame-capture-thread-'));
    store = await openStore(MEMORY_STORE);
  });
  afterEach(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores every packet of many small batches exactly once, through three cycling buffers', async () => {
    const { pcap, expected, rejected } = renderCapture(3000);
    const path = join(dir, 'many.pcap');
    await writeFile(path, pcap);
    const byAddress = new Map([
      ['192.0.2.10', 0],
      ['2001:db8::20', 1],
    ]);
    await store.connection.run(
      `INSERT INTO sensors VALUES (0, 's1', 'JP', '192.0.2.10', NULL, NULL), (1, 's2', 'JP', '2001:db8::20', NULL, NULL)`,
    );
    const sources = await SourceKeys.load(store, fixtureGeo);
    const loaded = await withTransaction(store, async () => {
      const result = await readCaptureIntoStore(store, {
        file: path,
        fileId: 1,
        sensorsByAddress: byAddress,
        fixedSensor: null,
        sources,
        listed: 1000,
        batchSize: 16,
      });
      await sources.writeNew(store);
      return result;
    });
    assert.equal(loaded.inserted, expected.length);
    assert.deepEqual(await storedRows(store), [...expected].sort());
    assert.deepEqual(
      loaded.summary.rejected.map((p) => p.packet),
      rejected,
      'rejected frames and frames to other addresses, by their own packet numbers, in order',
    );
    assert.equal(loaded.summary.skipped.nonIp, Math.floor(3000 / 83));
  });

  it('reads the captures of an ingest on one thread, also after one that failed or was left unread', async () => {
    const { pcap, expected } = renderCapture(600);
    const good = join(dir, 'good.pcap');
    await writeFile(good, pcap);
    const bad = join(dir, 'bad.pcap');
    await writeFile(bad, 'ts,src_ip\nnot a capture\n');
    await store.connection.run(
      `INSERT INTO sensors VALUES (0, 's1', 'JP', '192.0.2.10', NULL, NULL), (1, 's2', 'JP', '2001:db8::20', NULL, NULL)`,
    );
    const sources = await SourceKeys.load(store, fixtureGeo);
    const handlers = { addresses: () => {}, progress: () => {} };
    const reader = new CaptureReaderThread();
    // A thread still waiting on the capture left unread would never start the next one: past the
    // deadline it is ended, so that the test fails (the next capture then reports a dead reader) and does not hang.
    const deadline = setTimeout(() => void reader.close(), 20_000);
    try {
      // Left after its first batch: the thread stops reading it (its batches would never come back).
      const left = new CaptureThread(good, handlers, { reader, batchSize: 16 });
      assert.ok(await left.next());
      await left.close();
      const failing = new CaptureThread(bad, handlers, { reader });
      await assert.rejects(failing.next(), (error: unknown) => {
        assert.ok(isReportError(error));
        assert.equal(error.code, 'INPUT_INVALID', error.message);
        assert.match(error.message, /bad\.pcap: not a packet capture/);
        return true;
      });
      await failing.close();
      const loaded = await withTransaction(store, async () => {
        const result = await readCaptureIntoStore(store, {
          file: good,
          fileId: 1,
          sensorsByAddress: new Map([
            ['192.0.2.10', 0],
            ['2001:db8::20', 1],
          ]),
          fixedSensor: null,
          sources,
          listed: 1000,
          batchSize: 16,
          reader,
        });
        await sources.writeNew(store);
        return result;
      });
      assert.equal(loaded.inserted, expected.length);
      assert.deepEqual(await storedRows(store), [...expected].sort());
      assert.equal(reader.started, 1, 'one thread for the three captures');
    } finally {
      clearTimeout(deadline);
      await reader.close();
    }
  });

  it('gives the same rows and counts as decoding on this thread', async () => {
    const { pcap } = renderCapture(500);
    const path = join(dir, 'same.pcap');
    await writeFile(path, pcap);
    const reader = await openCapture(path);
    let decoded = 0;
    for await (const batch of reader.batches()) decoded += batch.count;
    const summary = await ingestPacketFiles(
      store,
      { files: [path], manifest, geo: fixtureGeo, maxErrors: 100 },
      effects,
    );
    const f = summary.files[0]!;
    const strays = Math.floor(500 / 97);
    assert.equal(f.accepted, decoded - strays);
    assert.equal(f.read, reader.summary().frames);
    assert.equal(f.rejected, reader.summary().rejectedTotal! + strays);
    assert.deepEqual(f.skipped, reader.summary().skipped);
  });

  it('lists rejected packets with their numbers and fails past --max-errors, leaving the store unchanged', async () => {
    const { pcap, rejected } = renderCapture(400);
    const path = join(dir, 'strays.pcap');
    await writeFile(path, pcap);
    await assert.rejects(
      ingestPacketFiles(store, { files: [path], manifest, geo: fixtureGeo }, effects),
      (error: Error & { code?: string; details?: string[] }) => {
        assert.equal(error.code, 'INPUT_INVALID');
        assert.deepEqual(
          error.details?.map((d) => /packet (\d+)/.exec(d)?.[1]).map(Number),
          rejected,
        );
        assert.ok(
          error.details?.some((d) => d.includes("destination 192.0.2.99 is no sensor's address")),
        );
        return true;
      },
    );
    assert.deepEqual(await queryRows(store.connection, 'SELECT count(*) AS n FROM packets'), [
      { n: 0 },
    ]);
    assert.deepEqual(await queryRows(store.connection, 'SELECT count(*) AS n FROM files'), [
      { n: 0 },
    ]);
  });

  it('turns broken framing into a ReportError naming the packet, and rolls back the whole ingest', async () => {
    const good = join(dir, 'good.pcap');
    await writeFile(good, renderCapture(50).pcap);
    const { pcap } = renderCapture(300);
    // Packet 201's captured length is far past any frame: nothing after it can be read.
    const records = buildPcap({
      records: [{ sec: START, frac: 0, data: new Uint8Array(0), caplen: 10_000_000 }],
    }).subarray(24);
    let offset = 24;
    for (let i = 1; i < 201; i++) offset += 16 + pcap.readUInt32LE(offset + 8);
    const broken = Buffer.concat([pcap.subarray(0, offset), records, pcap.subarray(offset)]);
    const path = join(dir, 'broken.pcap');
    await writeFile(path, broken);
    await assert.rejects(
      ingestPacketFiles(
        store,
        { files: [good, path], manifest, geo: fixtureGeo, maxErrors: 100 },
        effects,
      ),
      (error: unknown) => {
        assert.ok(isReportError(error));
        assert.equal(error.code, 'INPUT_INVALID');
        assert.match(
          error.message,
          /broken\.pcap: byte \d+ \(packet 201\): captured length 10000000/,
        );
        return true;
      },
    );
    assert.deepEqual(
      await queryRows(store.connection, 'SELECT count(*) AS n FROM packets'),
      [{ n: 0 }],
      'the good file before it is rolled back too',
    );
  });

  it('hashes plain, gzip and cut-off gzip captures as the bytes of the file', async () => {
    const { pcap } = renderCapture(200);
    const gz = gzipSync(pcap);
    const files = {
      'plain.pcap': pcap,
      'packed.pcap.gz': gz,
      'cut.pcap.gz': gz.subarray(0, gz.length - 40),
    };
    const progress: number[] = [];
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    const summary = await ingestPacketFiles(
      store,
      {
        files: Object.keys(files).map((name) => join(dir, name)),
        manifest,
        geo: fixtureGeo,
        maxErrors: 1000,
      },
      { ...effects, progress: (_file, bytes) => progress.push(bytes) },
    );
    for (const f of summary.files) {
      const content = await readFile(f.file);
      assert.equal(f.sha256, createHash('sha256').update(content).digest('hex'), f.file);
    }
    assert.deepEqual(
      summary.files.map((f) => f.status),
      ['ingested', 'ingested', 'ingested'],
    );
    assert.ok(summary.files[2]!.truncated, 'the cut-off file is marked truncated');
    assert.ok(progress.includes(pcap.length), 'progress reaches the whole plain file');
  });

  it('is idempotent for captures: the same bytes again are a duplicate', async () => {
    const path = join(dir, 'a.pcap');
    await writeFile(path, renderCapture(100).pcap);
    await writeFile(join(dir, 'copy.pcap'), await readFile(path));
    await ingestPacketFiles(
      store,
      { files: [path], manifest, geo: fixtureGeo, maxErrors: 10 },
      effects,
    );
    const before = await storedRows(store);
    const again = await ingestPacketFiles(
      store,
      { files: [path, join(dir, 'copy.pcap')], manifest, geo: fixtureGeo, maxErrors: 10 },
      effects,
    );
    assert.deepEqual(
      again.files.map((f) => f.status),
      ['duplicate', 'duplicate'],
    );
    assert.deepEqual(await storedRows(store), before);
  });

  it('attributes every packet to --sensor without rejecting other destinations', async () => {
    const path = join(dir, 'fixed.pcap');
    const { pcap } = renderCapture(200);
    await writeFile(path, pcap);
    const summary = await ingestPacketFiles(
      store,
      { files: [path], manifest, sensor: 's2', geo: fixtureGeo, maxErrors: 10 },
      effects,
    );
    const f = summary.files[0]!;
    assert.equal(f.rejected, 2, 'only the two cut-off frames');
    const names = await queryRows<{ name: string; n: number }>(
      store.connection,
      'SELECT s.name, count(*) AS n FROM packets p JOIN sensors s ON s.id = p.sensor GROUP BY ALL',
    );
    assert.deepEqual(names, [{ name: 's2', n: f.accepted }]);
  });

  describe('a capture thread that misbehaves', () => {
    it('reports a reader that fails to start as CAPTURE_FAILED naming the file, without hanging', async () => {
      const thread = new CaptureThread(
        'throws-on-start',
        { addresses: () => {}, progress: () => {} },
        { workerEntry: STAND_IN },
      );
      try {
        await assert.rejects(thread.next(), (error: unknown) => {
          assert.ok(isReportError(error));
          assert.equal(error.code, 'CAPTURE_FAILED');
          assert.match(
            error.message,
            /^throws-on-start: the capture reader failed: the stand-in reader cannot start before its first packet$/,
          );
          return true;
        });
      } finally {
        await thread.close();
      }
    });

    it('reports a reader that exits mid-capture with the last packet known, and ingests nothing', async () => {
      const sources = await SourceKeys.load(store, fixtureGeo);
      await store.connection.run(
        `INSERT INTO sensors VALUES (0, 's1', 'JP', '192.0.2.10', NULL, NULL)`,
      );
      await assert.rejects(
        withTransaction(store, () =>
          readCaptureIntoStore(store, {
            file: 'exits-after-a-batch',
            fileId: 1,
            sensorsByAddress: new Map(),
            fixedSensor: null,
            sources,
            listed: 10,
            workerEntry: STAND_IN,
          }),
        ),
        (error: unknown) => {
          assert.ok(isReportError(error));
          assert.equal(error.code, 'CAPTURE_FAILED');
          assert.equal(
            error.message,
            'exits-after-a-batch: the capture reader stopped unexpectedly (exit code 3) after packet 1',
          );
          return true;
        },
      );
      assert.deepEqual(await queryRows(store.connection, 'SELECT count(*) AS n FROM packets'), [
        { n: 0 },
      ]);
    });

    it('keeps every packet when the reader stalls for longer than a scan waits', async () => {
      const sources = await SourceKeys.load(store, fixtureGeo);
      await store.connection.run(
        `INSERT INTO sensors VALUES (0, 's1', 'JP', '192.0.2.10', NULL, NULL)`,
      );
      const loaded = await withTransaction(store, () =>
        readCaptureIntoStore(store, {
          file: 'stalls',
          fileId: 1,
          sensorsByAddress: new Map(),
          fixedSensor: null,
          sources,
          listed: 10,
          workerEntry: STAND_IN,
        }),
      );
      assert.equal(loaded.inserted, 9);
      const rows = await storedRows(store);
      assert.equal(rows.length, 9);
      assert.deepEqual(
        new Set(rows.map((r) => r.split('|').slice(1).join('|'))),
        new Set(['s1|192.0.2.1|23|0']),
      );
    });
  });
});
