import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadQuarterStatsFromStore } from '../../src/aggregate/index.js';
import { formatLocalDate } from '../../src/aggregate/time.js';
import { ingestHoneypotFiles, ingestPacketFiles } from '../../src/ingest/ingest.js';
import { parseAddress, parseTimestamp } from '../../src/ingest/fields.js';
import { parseManifest } from '../../src/ingest/manifest.js';
import { formatAddressSql, formatRegionSql, MEMORY_STORE, openStore, queryRows, type Store } from '../../src/store/store.js';
import { fixtureGeo } from '../aggregate/fixture.js';
import { buildPcap, ethernet, ipv6, tcp } from '../helpers/capture-writer.js';

const effects = { log: () => {}, clock: () => new Date('2022-01-01T00:00:00Z') };
const manifest = parseManifest('sensor,country,address\ns1,JP,192.0.2.10\ns2,JP,192.0.2.20\no1,US,198.51.100.7\n', 'sensors.csv');
// shared/ sits beside the repository (samples written by other people's tools).
const SHADOWSERVER_SAMPLE = fileURLToPath(new URL('../../../shared/samples/shadowserver/event4_honeypot_darknet.csv', import.meta.url));

async function count(store: Store, table = 'packets'): Promise<number> {
  return (await queryRows<{ n: number }>(store.connection, `SELECT count(*) AS n FROM ${table}`))[0]!.n;
}

describe('ingest: readers and reliability', () => {
  let dir: string;
  let store: Store;
  const file = async (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsubame-ingest-'));
    store = await openStore(MEMORY_STORE);
  });
  afterEach(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('fields', () => {
    it('parses ISO timestamps with a zone, and epoch seconds', () => {
      assert.equal(parseTimestamp('2021-12-31T16:00:00Z'), Date.UTC(2021, 11, 31, 16));
      assert.equal(parseTimestamp('2022-01-01T01:00:00+09:00'), Date.UTC(2021, 11, 31, 16));
      assert.equal(parseTimestamp('1640966400'), Date.UTC(2021, 11, 31, 16));
      assert.equal(parseTimestamp('1640966400.5'), Date.UTC(2021, 11, 31, 16) + 500);
      assert.equal(parseTimestamp('2021-12-31 16:00:00'), null, 'no zone');
      assert.equal(parseTimestamp('2021-12-31 16:00:00', true), Date.UTC(2021, 11, 31, 16));
      assert.equal(parseTimestamp('2021-02-30T00:00:00Z'), null);
      assert.equal(parseTimestamp('yesterday'), null);
    });
    it('canonicalises addresses and refuses others', () => {
      assert.equal(parseAddress('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
      assert.equal(parseAddress('192.0.2.1'), '192.0.2.1');
      assert.equal(parseAddress('192.0.2.256'), null);
      assert.equal(parseAddress('01.2.3.4'), null);
      assert.equal(parseAddress('example.com'), null);
    });
  });

  it('reads canonical CSV and rejects bad rows with line and reason', async () => {
    const path = await file(
      'a.csv',
      [
        'ts,sensor,src_ip,dst_port,proto',
        '2021-10-01T00:00:00Z,s1,8.8.8.8,23,TCP',
        'not-a-time,s1,8.8.8.8,23,tcp',
        '2021-10-01T00:00:00Z,s1,8.8.8.300,23,tcp',
        '2021-10-01T00:00:00Z,s9,8.8.8.8,23,tcp',
        '2021-10-01T00:00:00Z,s1,8.8.8.8,70000,tcp',
        '2021-10-01T00:00:00Z,s1,8.8.8.8,23,gre',
        '1633046400,s2,2001:db8::1,8,icmpv6',
        '',
      ].join('\n'),
    );
    const summary = await ingestPacketFiles(store, { files: [path], manifest, geo: fixtureGeo, maxErrors: 5 }, effects);
    const f = summary.files[0]!;
    assert.equal(f.read, 7);
    assert.equal(f.accepted, 2);
    assert.equal(f.rejected, 5);
    assert.deepEqual(
      f.problems.map((p) => [p.line, p.reason.split(' ').slice(0, 2).join(' ')]),
      [
        [3, 'bad timestamp'],
        [4, 'bad source'],
        [5, 'unknown sensor'],
        [6, 'bad destination'],
        [7, 'unknown protocol'],
      ],
    );
    assert.equal(await count(store), 2);
  });

  it('fails with more bad rows than --max-errors and leaves the store unchanged', async () => {
    const good = await file('good.csv', 'ts,sensor,src_ip,dst_port,proto\n2021-10-01T00:00:00Z,s1,8.8.8.8,23,tcp\n');
    await ingestPacketFiles(store, { files: [good], manifest, geo: fixtureGeo }, effects);
    const bad = await file('bad.csv', 'ts,sensor,src_ip,dst_port,proto\n2021-10-01T00:00:00Z,s1,8.8.8.8,23,tcp\nbad,s1,8.8.8.8,23,tcp\n');
    const other = await file('other.csv', 'ts,sensor,src_ip,dst_port,proto\n2021-10-02T00:00:00Z,s2,8.8.4.4,80,tcp\n');
    await assert.rejects(ingestPacketFiles(store, { files: [other, bad], manifest, geo: fixtureGeo }, effects), (error: Error & { code?: string; details?: string[] }) => {
      assert.equal(error.code, 'INPUT_INVALID');
      assert.ok(error.details?.some((d) => d.includes('bad.csv:3: bad timestamp')), String(error.details));
      return true;
    });
    assert.equal(await count(store), 1);
    assert.equal(await count(store, 'files'), 1);
  });

  it('is idempotent: the same content again is a duplicate and changes nothing', async () => {
    const content = 'ts,sensor,src_ip,dst_port,proto\n2021-10-01T00:00:00Z,s1,8.8.8.8,23,tcp\n2021-10-01T00:00:01Z,s1,8.8.8.8,23,tcp\n';
    const a = await file('a.csv', content);
    const b = await file('copy-of-a.csv', content);
    await ingestPacketFiles(store, { files: [a], manifest, geo: fixtureGeo }, effects);
    const again = await ingestPacketFiles(store, { files: [a, b], manifest, geo: fixtureGeo }, effects);
    assert.deepEqual(again.files.map((f) => f.status), ['duplicate', 'duplicate']);
    assert.equal(again.totals.duplicate, 2);
    assert.equal(await count(store), 2);
    assert.equal(await count(store, 'files'), 1);
  });

  it('recognises a duplicate before parsing it, by hash and not by size', async () => {
    const content = 'ts,sensor,src_ip,dst_port,proto\n2021-10-01T00:00:00Z,s1,8.8.8.8,23,tcp\n';
    const a = await file('a.csv', content);
    const sameSize = await file('same-size.csv', content.replace(',23,', ',24,'));
    await ingestPacketFiles(store, { files: [a], manifest, geo: fixtureGeo }, effects);
    assert.deepEqual(await queryRows(store.connection, 'SELECT bytes FROM files'), [{ bytes: content.length }]);
    const logged: string[] = [];
    const again = await ingestPacketFiles(store, { files: [a, sameSize], manifest, geo: fixtureGeo }, { ...effects, log: (l: string) => logged.push(l) });
    assert.deepEqual(
      again.files.map((f) => [f.status, f.read]),
      [
        ['duplicate', 0],
        ['ingested', 1],
      ],
      'the duplicate is not read; a file of the same size with other bytes is',
    );
    assert.ok(logged.some((l) => l.includes('a.csv: already ingested')), logged.join('\n'));
    assert.equal(await count(store), 2);
  });

  it('recognises duplicates of files stored before sizes were kept', async () => {
    const content = 'ts,sensor,src_ip,dst_port,proto\n2021-10-01T00:00:00Z,s1,8.8.8.8,23,tcp\n';
    const a = await file('a.csv', content);
    await ingestPacketFiles(store, { files: [a], manifest, geo: fixtureGeo }, effects);
    // A files table as such a store has it: no bytes column. Opening the store adds it, unknown (NULL).
    await store.connection.run('ALTER TABLE files DROP COLUMN bytes');
    const path = join(dir, 'old.duckdb');
    await store.connection.run(`ATTACH '${path}' AS old`);
    await store.connection.run('CREATE TABLE old.files AS SELECT * FROM files; CREATE TABLE old.packets AS SELECT * FROM packets; CREATE TABLE old.meta AS SELECT * FROM meta');
    await store.connection.run('DETACH old');
    const old = await openStore(path);
    try {
      assert.deepEqual(await queryRows(old.connection, 'SELECT bytes FROM files'), [{ bytes: null }]);
      const again = await ingestPacketFiles(old, { files: [a], manifest, geo: fixtureGeo }, effects);
      assert.deepEqual(again.files.map((f) => f.status), ['duplicate']);
      assert.equal(await count(old), 1);
    } finally {
      old.close();
    }
  });

  it('fails a gzip file that is cut off, whichever reader parses it, and stores nothing', async () => {
    const rows = Array.from({ length: 20000 }, (_, i) => `${1633046400 + i},s1,8.8.${(i >> 8) & 255}.${i & 255},${20 + (i % 50)},tcp`);
    const csv = gzipSync(`ts,sensor,src_ip,dst_port,proto\n${rows.join('\n')}\n`);
    const ndjson = gzipSync(`${rows.map((r) => JSON.stringify({ ts: Number(r.split(',')[0]), sensor: 's1', src_ip: '8.8.8.8', dst_port: 23, proto: 'tcp' })).join('\n')}\n`);
    for (const [name, whole] of [
      ['cut.csv.gz', csv],
      ['cut.ndjson.gz', ndjson],
    ] as const) {
      const path = await file(name, whole.subarray(0, Math.floor(whole.length * 0.6)));
      // Small files: DuckDB's reader is asked for, so that its own check is the one tested.
      const options = { files: [path], manifest, geo: fixtureGeo, maxErrors: 10, csvFastPathFrom: { plain: 0, gzip: 0 } };
      await assert.rejects(ingestPacketFiles(store, options, effects), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'INPUT_INVALID', name);
        assert.match(error.message, new RegExp(`${name.replace('.', '\\.')}: unexpected end of file`));
        assert.match(error.hint ?? '', /gzip stream is damaged or cut off/);
        return true;
      });
      assert.equal(await count(store), 0, name);
      assert.equal(await count(store, 'files'), 0, name);
    }
  });

  it('refuses a directory among the files (the command expands folders; this is the library below it)', async () => {
    await assert.rejects(ingestPacketFiles(store, { files: [dir], manifest, geo: fixtureGeo }, effects), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, 'BAD_ARGUMENT');
      assert.match(error.message, /is a directory, not a log file/);
      assert.match(error.hint ?? '', /\*\.pcap/);
      return true;
    });
  });

  it('recognises a duplicate honeypot log before parsing it', async () => {
    const content = 'ts,src_ip\n2021-10-01T00:00:00Z,8.8.8.8\n';
    const a = await file('hp.csv', content);
    await ingestHoneypotFiles(store, { name: 'redis-pot', files: [a] }, effects);
    const again = await ingestHoneypotFiles(store, { name: 'redis-pot', files: [a, a] }, effects);
    assert.deepEqual(again.files.map((f) => [f.status, f.read]), [
      ['duplicate', 0],
      ['duplicate', 0],
    ]);
    assert.equal(await count(store, 'honeypot'), 1);
  });

  it('reads NDJSON and gzip, attributing by destination address when no sensor is named', async () => {
    const lines = [
      JSON.stringify({ ts: '2021-10-01T09:00:00+09:00', dst_ip: '192.0.2.20', src_ip: '8.8.8.8', dst_port: 445, proto: 'tcp' }),
      JSON.stringify({ ts: 1633046400, sensor: 's1', src_ip: '8.8.8.8', dst_port: '53', proto: 'udp' }),
      JSON.stringify({ ts: 1633046400, dst_ip: '192.0.2.99', src_ip: '8.8.8.8', dst_port: 53, proto: 'udp' }),
      '{"ts": broken',
    ];
    const path = await file('b.ndjson.gz', gzipSync(`${lines.join('\n')}\n`));
    const summary = await ingestPacketFiles(store, { files: [path], manifest, geo: fixtureGeo, maxErrors: 2 }, effects);
    const f = summary.files[0]!;
    assert.equal(f.format, 'ndjson.gz');
    assert.equal(f.accepted, 2);
    assert.deepEqual(
      f.problems.map((p) => p.line),
      [3, 4],
    );
    const rows = await queryRows<{ name: string; port: number }>(store.connection, 'SELECT s.name, p.port FROM packets p JOIN sensors s ON s.id = p.sensor ORDER BY port');
    assert.deepEqual(rows, [
      { name: 's1', port: 53 },
      { name: 's2', port: 445 },
    ]);
  });

  it('reads the Shadowserver darknet sample with --sensor', async () => {
    const summary = await ingestPacketFiles(store, { files: [SHADOWSERVER_SAMPLE], manifest, sensor: 's1', geo: fixtureGeo }, effects);
    const f = summary.files[0]!;
    assert.equal(f.format, 'shadowserver');
    assert.equal(f.read, 8);
    assert.equal(f.accepted + f.rejected, 8);
    const first = await queryRows<{ ts: number; src: string; port: number }>(
      store.connection,
      `SELECT ts, ${formatAddressSql('src')} AS src, port FROM packets ORDER BY ts, src LIMIT 1`,
    );
    assert.equal(first[0]!.ts, Date.UTC(2021, 2, 7), 'Shadowserver timestamps are UTC');
  });

  it('rejects Shadowserver rows without --sensor, since their dst_ip is blank', async () => {
    await assert.rejects(ingestPacketFiles(store, { files: [SHADOWSERVER_SAMPLE], manifest, geo: fixtureGeo }, effects), { code: 'INPUT_INVALID' });
    assert.equal(await count(store), 0);
  });

  it('counts a Shadowserver event with count N as N packets, and rejects a bad count', async () => {
    const header = '"timestamp","protocol","src_ip","src_port","dst_ip","dst_port","count"';
    const path = await file(
      'event4_honeypot_darknet.csv',
      [
        header,
        '"2021-10-01 00:00:00","tcp","192.0.2.1",4717,,23,',
        '"2021-10-01 00:00:05","tcp","192.0.2.2",4718,,23,3',
        '"2021-10-01 00:00:09","udp","192.0.2.3",4719,,53,0',
        '"2021-10-01 00:00:09","udp","192.0.2.3",4719,,53,many',
        '',
      ].join('\n'),
    );
    const summary = await ingestPacketFiles(store, { files: [path], manifest, sensor: 's1', geo: fixtureGeo, maxErrors: 2 }, effects);
    const f = summary.files[0]!;
    assert.equal(f.format, 'shadowserver');
    assert.equal(f.read, 4, 'rows read');
    assert.equal(f.accepted, 4, 'packets: 1 + 3');
    assert.deepEqual(
      f.problems.map((p) => [p.line, p.reason.split(' ').slice(0, 2).join(' ')]),
      [
        [4, 'bad count'],
        [5, 'bad count'],
      ],
    );
    const rows = await queryRows<{ src: string; n: number }>(
      store.connection,
      `SELECT ${formatAddressSql('src')} AS src, count(*) AS n FROM packets GROUP BY src ORDER BY src`,
    );
    assert.deepEqual(rows, [
      { src: '192.0.2.1', n: 1 },
      { src: '192.0.2.2', n: 3 },
    ]);
  });

  it('stores and geolocates IPv4-mapped IPv6 sources as the IPv4 address, from CSV and from captures', async () => {
    const csv = await file(
      'mapped.csv',
      'ts,sensor,src_ip,dst_port,proto\n2021-10-01T00:00:00Z,s1,192.0.2.44,23,tcp\n2021-10-01T00:00:01Z,s1,::ffff:192.0.2.44,23,tcp\n2021-10-01T00:00:02Z,s1,::FFFF:C000:22C,23,tcp\n',
    );
    const ms = Date.UTC(2021, 9, 1, 0, 0, 3);
    const pcap = await file(
      'mapped.pcap',
      buildPcap({
        records: [{ sec: ms / 1000, frac: 0, data: ethernet(ipv6({ src: '::ffff:c000:22c', dst: '2001:db8::10', protocol: 6, payload: tcp(23) }), 0x86dd) }],
      }),
    );
    await ingestPacketFiles(store, { files: [csv, pcap], manifest, sensor: 's1', geo: fixtureGeo }, effects);
    const rows = await queryRows<{ src: string; region: string; n: number }>(
      store.connection,
      `SELECT ${formatAddressSql('src')} AS src, ${formatRegionSql('region')} AS region, count(*) AS n FROM packets GROUP BY ALL`,
    );
    assert.deepEqual(rows, [{ src: '192.0.2.44', region: 'RU', n: 4 }], 'one source, placed by its IPv4 address');
    assert.equal(await count(store, 'addresses6'), 0, 'no IPv6 dictionary entry for a mapped address');
  });

  it('gives the right line numbers for bad rows deep in a large CSV', async () => {
    const lines = ['ts,sensor,src_ip,dst_port,proto'];
    for (let i = 0; i < 60_000; i++) lines.push(`${1633046400 + i},s${1 + (i % 2)},198.51.100.${i % 200},${i % 1000},tcp`);
    lines[1000] = '';
    lines[2000] = '1633046400,s1,198.51.100.1,80';
    lines[40_000] = '1633046400,s1,198.51.100.1,80,gre';
    lines[55_555] = '1633046400,s1,198.51.100.1,99999,tcp';
    const path = await file('large.csv', `${lines.join('\n')}\n`);
    // Through both readers: DuckDB's (whatever the size) and the line reader (the default for a file this small).
    for (const csvFastPathFrom of [{ plain: 0, gzip: 0 }, undefined]) {
      const into = await openStore(MEMORY_STORE);
      try {
        const summary = await ingestPacketFiles(into, { files: [path], manifest, geo: fixtureGeo, maxErrors: 3, ...(csvFastPathFrom ? { csvFastPathFrom } : {}) }, effects);
        const f = summary.files[0]!;
        const how = csvFastPathFrom ? "DuckDB's reader" : 'line reader';
        assert.equal(f.read, 59_999, `the blank line is not a row (${how})`);
        assert.equal(f.rejected, 3, how);
        assert.equal(f.accepted, 59_996, how);
        assert.deepEqual(
          f.problems.map((p) => `${p.line}: ${p.reason}`),
          ['2001: expected 5 fields, got 4', '40001: unknown protocol "gre" (expected tcp, udp, icmp or icmpv6)', '55556: bad destination port "99999"'],
          how,
        );
        assert.equal(await count(into), 59_996, how);
      } finally {
        into.close();
      }
    }
  });

  it('reads honeypot logs in CSV and NDJSON', async () => {
    const csv = await file('h.csv', 'ts,src_ip,extra\n2021-10-01T00:00:00Z,8.8.8.8,x\nbad,8.8.8.8,x\n');
    const ndjson = await file('h.ndjson', `${JSON.stringify({ ts: '2021-10-02T00:00:00Z', src_ip: '2001:DB8::5', user: 'root' })}\n`);
    const summary = await ingestHoneypotFiles(store, { name: 'pot', files: [csv, ndjson], maxErrors: 1 }, effects);
    assert.equal(summary.totals.accepted, 2);
    assert.equal(summary.totals.rejected, 1);
    const srcs = await queryRows<{ src: string }>(store.connection, `SELECT ${formatAddressSql('src')} AS src FROM honeypot ORDER BY src`);
    assert.deepEqual(srcs.map((r) => r.src), ['2001:db8::5', '8.8.8.8']);
  });

  it('validates the manifest', () => {
    assert.throws(() => parseManifest('sensor,country\ns1,Japan\ns1,JP\n', 'm.csv'), (error: Error & { code?: string; details?: string[] }) => {
      assert.equal(error.code, 'MANIFEST_INVALID');
      assert.ok(error.details?.[0]?.startsWith('m.csv:2: country'));
      return true;
    });
    assert.throws(() => parseManifest('sensor,country,address,active_from,active_to\ns1,JP,nowhere,2021-13-01,\n', 'm.csv'), { code: 'MANIFEST_INVALID' });
    assert.throws(() => parseManifest('name,where\n', 'm.csv'), { code: 'MANIFEST_INVALID' });
  });

  it('puts days and quarters in the report time zone: 2021-12-31T16:00Z is 2022Q1', async () => {
    assert.equal(formatLocalDate(Date.UTC(2021, 11, 31, 16), 'Asia/Tokyo'), '2022-01-01');
    assert.equal(formatLocalDate(Date.UTC(2021, 11, 31, 14, 59, 59), 'Asia/Tokyo'), '2021-12-31');
    const path = await file(
      't.csv',
      'ts,sensor,src_ip,dst_port,proto\n2021-12-31T16:00:00Z,s1,8.8.8.8,23,tcp\n2021-12-31T14:59:59Z,s1,8.8.8.8,80,tcp\n',
    );
    await ingestPacketFiles(store, { files: [path], manifest, geo: fixtureGeo }, effects);
    const clock = () => new Date();
    const q4 = await loadQuarterStatsFromStore(store, { quarter: '2021Q4', clock, log: () => {} });
    const q1 = await loadQuarterStatsFromStore(store, { quarter: '2022Q1', clock, log: () => {} });
    assert.deepEqual(q4.ports.map((p) => p.port), [80]);
    assert.deepEqual(q1.ports.map((p) => p.port), [23]);
    assert.equal(q1.ports[0]!.daily![0]!.date, '2022-01-01');
    assert.equal(q1.ports[0]!.daily![0]!.packets, 1);
  });
});
