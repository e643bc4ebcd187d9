import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseTypedSample } from '../../src/ingest/csv-load.js';
import { parseCsvHeader } from '../../src/ingest/csv.js';
import { ingestPacketFiles, type FileSummary } from '../../src/ingest/ingest.js';
import { parseManifest } from '../../src/ingest/manifest.js';
import { MEMORY_STORE, openStore, queryRows, type Store } from '../../src/store/store.js';
import { fixtureGeo } from '../aggregate/fixture.js';

const effects = { log: () => {}, clock: () => new Date('2022-01-01T00:00:00Z') };
const FAST_PATH_ALWAYS = { plain: 0, gzip: 0 };
const manifest = parseManifest('sensor,country\ns1,JP\ns2,JP\n', 'sensors.csv');

/** Canonical rows around the row under test, so that DuckDB reads the file as it reads real ones. */
const GOOD = Array.from({ length: 40 }, (_, i) => [`${1633046400 + i}.${i % 10}`, `s${1 + (i % 2)}`, `8.8.${i % 3}.${i}`, `${20 + (i % 7)}`, i % 3 ? 'tcp' : 'udp']);

// Field forms DuckDB's typed reader takes differently from the checks, or that the checks trim or fold.
const ODD_FIELDS: { ts?: string; sensor?: string; src?: string; port?: string; proto?: string }[] = [
  ...['1e9', '1E9', '+1633046400', '.5', '1633046400.', '1_633_046_400', 'inf', 'nan', 'Infinity', '-0', ' 1633046400 ', '1633046400.250', '', '9'.repeat(320), '2021-10-01T00:00:00Z', '2021-10-01 09:00:00+09:00', '"1633046400"'].map((ts) => ({ ts })),
  ...['+23', '23.0', '0x17', '1_0', '-0', '1e2', ' 23 ', '023', '00023', '65535', '65536', '99999', '', '"23"'].map((port) => ({ port })),
  ...['TCP', ' tcp', 'Tcp', 'icmpv6', 'icmp', '', 'gre', '"udp"'].map((proto) => ({ proto })),
  ...[' s1', 's1 ', '', 'S1', 'x', '"s2"'].map((sensor) => ({ sensor })),
  ...['', ' 8.8.8.8', '::ffff:8.8.8.8', '2001:DB8::1', '8.8.8', '"8.8.4.4"'].map((src) => ({ src })),
];

async function count(store: Store): Promise<number> {
  return (await queryRows<{ n: number }>(store.connection, 'SELECT count(*) AS n FROM packets'))[0]!.n;
}

async function readPackets(store: Store, fileId: number): Promise<string[]> {
  const rows = await queryRows<Record<string, unknown>>(
    store.connection,
    'SELECT ts, sensor, src, port, proto, region FROM packets WHERE file_id = $id ORDER BY ALL',
    { id: fileId },
  );
  return rows.map((r) => JSON.stringify(r));
}

describe('ingest: the CSV fast path', () => {
  let dir: string;
  const stores: Store[] = [];
  const file = async (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };
  /** Ingests into `store` (a new one by default); the packets are the file's own. */
  const ingest = async (path: string, sensor?: string, store?: Store): Promise<{ summary: FileSummary; packets: string[] }> => {
    if (!store) {
      store = await openStore(MEMORY_STORE);
      stores.push(store);
    }
    // Every file here takes DuckDB's reader (the fast path), however small; the reference files take the line reader by their header.
    const summary = await ingestPacketFiles(
      store,
      { files: [path], manifest, geo: fixtureGeo, maxErrors: 100, csvFastPathFrom: FAST_PATH_ALWAYS, ...(sensor ? { sensor } : {}) },
      effects,
    );
    const fileId = (await queryRows<{ id: number }>(store.connection, 'SELECT max(id) AS id FROM files'))[0]!.id;
    return { summary: summary.files[0]!, packets: await readPackets(store, fileId) };
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsubame-csv-'));
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) store.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const sensor of [undefined, 's2']) {
    it(`gives the line-by-line readers' verdict on every odd field form${sensor ? ' (with --sensor)' : ''}`, async () => {
      const [fastStore, referenceStore] = [await openStore(MEMORY_STORE), await openStore(MEMORY_STORE)];
      stores.push(fastStore, referenceStore);
      for (const [n, odd] of ODD_FIELDS.entries()) {
        const row = [odd.ts ?? '1633046400', odd.sensor ?? 's1', odd.src ?? '8.8.4.4', odd.port ?? '23', odd.proto ?? 'tcp'];
        const rows = [...GOOD.slice(0, 20), row, ...GOOD.slice(20)];
        const what = JSON.stringify(odd);
        // The same rows with a dst_ip column take the line-by-line reader (fields.ts), the reference.
        const fast = await ingest(await file(`fast-${n}.csv`, `ts,sensor,src_ip,dst_port,proto\n${rows.map((r) => r.join(',')).join('\n')}\n`), sensor, fastStore);
        const reference = await ingest(await file(`ref-${n}.csv`, `ts,sensor,src_ip,dst_port,proto,dst_ip\n${rows.map((r) => `${r.join(',')},`).join('\n')}\n`), sensor, referenceStore);
        assert.equal(fast.summary.format, 'csv', what);
        assert.equal(reference.summary.format, 'csv', what);
        assert.deepEqual(
          [fast.summary.read, fast.summary.accepted, fast.summary.rejected, fast.summary.problems.map((p) => `${p.line}: ${p.reason}`)],
          [reference.summary.read, reference.summary.accepted, reference.summary.rejected, reference.summary.problems.map((p) => `${p.line}: ${p.reason}`)],
          what,
        );
        assert.deepEqual(fast.packets, reference.packets, what);
      }
    });
  }

  it('reads CRLF line ends and quoted canonical fields as the line-by-line reader does', async () => {
    const rows = GOOD.map((r, i) => (i % 5 === 0 ? r.map((f) => `"${f}"`) : r));
    const fast = await ingest(await file('crlf.csv', `ts,sensor,src_ip,dst_port,proto\r\n${rows.map((r) => r.join(',')).join('\r\n')}\r\n`));
    const reference = await ingest(await file('crlf-ref.csv', `ts,sensor,src_ip,dst_port,proto,dst_ip\r\n${rows.map((r) => `${r.join(',')},`).join('\r\n')}\r\n`));
    assert.equal(fast.summary.accepted, GOOD.length);
    assert.deepEqual([fast.summary.read, fast.summary.rejected], [reference.summary.read, reference.summary.rejected]);
    assert.deepEqual(fast.packets, reference.packets);
  });

  it('skips broken rows in an otherwise canonical file, listing them by line, and keeps every other row', async () => {
    const rows = GOOD.map((r) => r.join(','));
    rows[3] = '1633046400,s1,8.8.8.8,23';
    rows[17] = '1633046400,s1,8.8.8.8,23,tcp,extra';
    const broken = await ingest(await file('broken.csv', `ts,sensor,src_ip,dst_port,proto\n${rows.join('\n')}\n`));
    assert.deepEqual(broken.summary.problems.map((p) => `${p.line}: ${p.reason}`), ['5: expected 5 fields, got 4', '19: expected 5 fields, got 6']);
    assert.deepEqual([broken.summary.read, broken.summary.accepted, broken.summary.rejected], [GOOD.length, GOOD.length - 2, 2]);
    const whole = await ingest(await file('whole.csv', `ts,sensor,src_ip,dst_port,proto\n${GOOD.filter((_, i) => i !== 3 && i !== 17).map((r) => r.join(',')).join('\n')}\n`));
    assert.deepEqual(broken.packets, whole.packets);
  });

  it('refuses only the line of a quote left open, keeping the lines after it', async () => {
    for (const [name, at, other] of [
      ['to the end', 3, null],
      ['until a later quote', 3, 7],
    ] as const) {
      const rows = GOOD.map((r) => r.join(','));
      rows[at] = '1633046400,s1,"8.8.8.8,23,tcp';
      if (other !== null) rows[other] = '1633046400,s1,"8.8.4.4",23,tcp';
      const open = await ingest(await file('open-quote.csv', `ts,sensor,src_ip,dst_port,proto\n${rows.join('\n')}\n`));
      assert.deepEqual(open.summary.problems.map((p) => `${p.line}: ${p.reason}`), [`${at + 2}: broken CSV quoting`], name);
      assert.deepEqual([open.summary.read, open.summary.accepted, open.summary.rejected], [GOOD.length, GOOD.length - 1, 1], name);
      const reference = await ingest(await file('open-quote-ref.csv', `ts,sensor,src_ip,dst_port,proto,dst_ip\n${rows.map((r) => `${r},`).join('\n')}\n`));
      assert.deepEqual(open.packets, reference.packets, name);
    }
  });

  it('judges from a file\'s first rows whether the typed reader can take it', () => {
    const header = parseCsvHeader('ts,sensor,src_ip,dst_port,proto')!;
    const input = { header, sensorsByName: new Map([['s1', 0], ['s2', 1]]), fixedSensor: null };
    const sample = (...rows: string[]) => `ts,sensor,src_ip,dst_port,proto\n${rows.join('\n')}\n`;
    assert.equal(parseTypedSample(sample('1,s1,8.8.8.8,23,tcp', '2,s2,8.8.8.8,53,udp'), input), true);
    assert.equal(parseTypedSample(`${sample('1,s1,8.8.8.8,23,tcp')}2,s2,8.8.8.8,53,TC`, input), true, 'a cut-off last line is not judged');
    assert.equal(parseTypedSample(sample('1,s1,8.8.8.8,23,tcp', '2,s2,8.8.8.8,53,TCP'), input), false);
    assert.equal(parseTypedSample(sample('1,s3,8.8.8.8,23,tcp'), input), false, 'a sensor not in the manifest');
    assert.equal(parseTypedSample(sample('1, s1,8.8.8.8,23,tcp'), input), false);
    assert.equal(parseTypedSample(sample('1,,8.8.8.8,23,tcp'), input), false, 'no sensor and no --sensor');
    assert.equal(parseTypedSample(sample('1,,8.8.8.8,23,tcp'), { ...input, fixedSensor: 1 }), true);
    assert.equal(parseTypedSample(sample('1,"s1",8.8.8.8,23,tcp'), input), false);
  });

  it('falls back to the checked scan for an odd protocol or sensor past the first rows', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => GOOD[i % GOOD.length]!.join(','));
    for (const odd of ['1633046400,s1,8.8.8.8,23,TCP', '1633046400,s3,8.8.8.8,23,tcp']) {
      const rows = [...many, odd, ...many.slice(0, 10)];
      const fast = await ingest(await file('late.csv', `ts,sensor,src_ip,dst_port,proto\n${rows.join('\n')}\n`));
      const reference = await ingest(await file('late-ref.csv', `ts,sensor,src_ip,dst_port,proto,dst_ip\n${rows.map((r) => `${r},`).join('\n')}\n`));
      assert.deepEqual(
        [fast.summary.read, fast.summary.accepted, fast.summary.rejected, fast.summary.problems.map((p) => `${p.line}: ${p.reason}`)],
        [reference.summary.read, reference.summary.accepted, reference.summary.rejected, reference.summary.problems.map((p) => `${p.line}: ${p.reason}`)],
        odd,
      );
      assert.deepEqual(fast.packets, reference.packets, odd);
    }
  });

  it('reads a gzip file longer than the sample as the line-by-line reader does', async () => {
    // Varied rows, so that even compressed the file is longer than the 64 KiB sample.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const rows = Array.from({ length: 30_000 }, (_, i) => `${1633046400 + i}.${next() % 1000},s${1 + (next() % 2)},${next() % 223 + 1}.${next() % 256}.${next() % 256}.${next() % 256},${next() % 65536},${['tcp', 'udp', 'icmp'][next() % 3]}`);
    const gz = gzipSync(`ts,sensor,src_ip,dst_port,proto\n${rows.join('\n')}\n`);
    assert.ok(gz.length > 64 * 1024);
    const fast = await ingest(await file('big.csv.gz', gz));
    const reference = await ingest(await file('big-ref.csv.gz', gzipSync(`ts,sensor,src_ip,dst_port,proto,dst_ip\n${rows.map((r) => `${r},`).join('\n')}\n`)));
    assert.equal(fast.summary.format, 'csv.gz');
    assert.equal(fast.summary.accepted, rows.length);
    assert.deepEqual([fast.summary.read, fast.summary.rejected], [reference.summary.read, reference.summary.rejected]);
    assert.deepEqual(fast.packets, reference.packets);
  });

  for (const [what, eol, last] of [
    ['LF', '\n', '\n'],
    ['CRLF, blank lines, no line end after the last row', '\r\n', ''],
  ] as const)
    it(`reads a canonical file of several MiB as the line-by-line reader does (${what})`, async () => {
      let seed = 11;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
      const rows = Array.from({ length: 100_000 }, (_, i) =>
        i % 9_973 === 5 && eol !== '\n' ? '' : `${1633046400 + i}.${next() % 1000},s${1 + (next() % 2)},${(next() % 223) + 1}.${next() % 256}.${next() % 256}.${next() % 4},${next() % 65536},${['tcp', 'udp', 'icmp'][next() % 3]}`,
      );
      const fast = await ingest(await file('plain.csv', `ts,sensor,src_ip,dst_port,proto${eol}${rows.join(eol)}${last}`));
      const reference = await ingest(await file('plain-ref.csv', `ts,sensor,src_ip,dst_port,proto,dst_ip${eol}${rows.map((r) => (r === '' ? r : `${r},`)).join(eol)}${last}`));
      assert.equal(fast.summary.accepted, rows.filter((r) => r !== '').length);
      assert.deepEqual([fast.summary.read, fast.summary.rejected], [reference.summary.read, reference.summary.rejected]);
      assert.deepEqual(fast.packets, reference.packets);
    });

  it('reads a file of canonical rows whole, and one with a single odd row to the same packets but that row', async () => {
    const canonical = await ingest(await file('all.csv', `ts,sensor,src_ip,dst_port,proto\n${GOOD.map((r) => r.join(',')).join('\n')}\n`));
    assert.equal(canonical.summary.accepted, GOOD.length);
    assert.equal(canonical.packets.length, GOOD.length);
    const rows = GOOD.map((r) => r.join(','));
    rows[5] = '1e9,s1,8.8.8.8,23,tcp';
    const odd = await ingest(await file('odd.csv', `ts,sensor,src_ip,dst_port,proto\n${rows.join('\n')}\n`));
    assert.deepEqual(odd.summary.problems.map((p) => `${p.line}: ${p.reason}`), ['7: bad timestamp "1e9"']);
    assert.equal(odd.packets.length, GOOD.length - 1);
    assert.equal(await count(stores[1]!), GOOD.length - 1);
  });
});
