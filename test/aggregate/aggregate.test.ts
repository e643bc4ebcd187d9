import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { loadQuarterStatsFromStore } from '../../src/aggregate/index.js';
import { parseQuarterConfig } from '../../src/aggregate/config.js';
import { ingestHoneypotFiles, ingestPacketFiles } from '../../src/ingest/ingest.js';
import { parseManifest } from '../../src/ingest/manifest.js';
import type { QuarterStats } from '../../src/stats/schema.js';
import { MEMORY_STORE, openStore, type Store } from '../../src/store/store.js';
import { fixtureGeo, MANIFEST, writeFixtureFiles, type FixtureFiles } from './fixture.js';

const clock = () => new Date('2022-01-15T00:00:00Z');
const effects = { log: () => {}, clock };
const close = (actual: number | null | undefined, expected: number, what: string) => {
  assert.ok(typeof actual === 'number', `${what}: expected a number, got ${actual}`);
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);
};

// Active domestic sensors: days 0–9 s1, s2, s3; days 10–45 also s4; from day 46 s3 is silent.
const DAYS = 92;
/** Quarterly value of a port receiving `perDay(day)` packets, with the sensor counts above, by hand. */
const sensorsOn = (day: number) => (day <= 9 ? 3 : day <= 45 ? 4 : 3);
const valueOf = (perDay: (day: number) => number) => {
  let sum = 0;
  for (let day = 0; day < DAYS; day++) sum += perDay(day) / sensorsOn(day);
  return sum / DAYS;
};

describe('aggregate: hand-computed fixture (2021Q4 against 2021Q3)', () => {
  let files: FixtureFiles;
  let store: Store;
  let stats: QuarterStats;
  const warnings: string[] = [];

  before(async () => {
    files = await writeFixtureFiles();
    store = await openStore(MEMORY_STORE);
    const manifest = parseManifest(MANIFEST, 'sensors.csv');
    await ingestPacketFiles(store, { files: [files.q3, files.q4], manifest, geo: fixtureGeo }, effects);
    await ingestHoneypotFiles(store, { name: 'telnet-pot', files: [files.honeypot] }, effects);
    const config = parseQuarterConfig({ focus: [{ port: 23, proto: 'tcp', honeypot: 'telnet-pot' }], honeypotThreshold: 2 }, 'config');
    stats = await loadQuarterStatsFromStore(store, { quarter: '2021Q4', config, clock, log: (line) => warnings.push(line) });
  });
  after(async () => {
    store.close();
    await rm(files.dir, { recursive: true, force: true });
  });

  it('ranks ports by packets per sensor per day, not by total packets', () => {
    const order = stats.ports.map((p) => `${p.port}/${p.proto}`);
    // 445/TCP has 1080 packets, 3389/TCP 920; per sensor-day 3389 comes first because s3 was silent when it arrived.
    assert.deepEqual(order, ['23/tcp', '3389/tcp', '445/tcp', '80/tcp', '8/icmp', '53/tcp', '53/udp', '1000/tcp', '1001/tcp', '1002/tcp']);
    const p = Object.fromEntries(stats.ports.map((e) => [`${e.port}/${e.proto}`, e]));
    assert.equal(p['445/tcp']!.packets, 36 * 30);
    assert.equal(p['3389/tcp']!.packets, 46 * 20);
    assert.equal(p['23/tcp']!.packets, 46 * 40 + 12 * 2);
    close(p['23/tcp']!.value, (10 * (40 / 3) + 36 * (40 / 4) + 12 * (2 / 3)) / 92, '23/tcp value');
    close(p['3389/tcp']!.value, (46 * 20) / 3 / 92, '3389/tcp value');
    close(p['445/tcp']!.value, (36 * 30) / 4 / 92, '445/tcp value');
    close(p['80/tcp']!.value, valueOf(() => 8), '80/tcp value');
    close(p['53/udp']!.value, valueOf(() => 3), '53/udp value');
    assert.equal(p['53/tcp']!.service, 'domain');
    assert.equal(p['8/icmp']!.service, null);
    assert.equal(p['1000/tcp']!.daily, undefined, 'only the top 5 carry a daily series');
    assert.equal(p['8/icmp']!.daily?.length, 92);
  });

  it('gives previous ranks: a swap, outside top 10, and the rest', () => {
    const prev = Object.fromEntries(stats.ports.map((e) => [`${e.port}/${e.proto}`, e.previousRank]));
    assert.equal(prev['23/tcp'], 2);
    assert.equal(prev['80/tcp'], 1);
    assert.equal(prev['3389/tcp'], 'outside');
    assert.equal(prev['1000/tcp'], 'outside');
    assert.deepEqual(stats.previousQuarter, { quarter: '2021Q3', available: true });
  });

  it('computes growth over 7-day windows, null when the first window is 0', () => {
    const p = Object.fromEntries(stats.ports.map((e) => [`${e.port}/${e.proto}`, e]));
    close(p['23/tcp']!.growth, 2 / 3 / (40 / 3), '23/tcp growth');
    close(p['80/tcp']!.growth, 1, '80/tcp growth');
    assert.equal(p['3389/tcp']!.growth, null);
  });

  it('ranks regions, with previous ranks and main ports', () => {
    assert.deepEqual(
      stats.regions.map((r) => [r.region, r.previousRank, r.mainPort ? `${r.mainPort.port}/${r.mainPort.proto}` : null]),
      [
        ['CN', 3, '23/tcp'],
        ['US', 1, '80/tcp'],
        ['RU', 4, '445/tcp'],
        ['ZZ', 'outside', '8/icmp'],
        ['NL', 2, '1000/tcp'],
      ],
    );
    close(stats.regions[0]!.value, (10 * (30 / 3) + 36 * (30 / 4) + 46 * (20 / 3)) / 92, 'CN value');
    close(stats.regions[1]!.value, (10 * (18 / 3) + 36 * (18 / 4) + 46 * (8 / 3)) / 92, 'US value');
    close(stats.regions[2]!.value, (36 * (30 / 4) + 12 * (2 / 3)) / 92, 'RU value');
  });

  it('keeps overseas sensors and out-of-range days out of the domestic tables', () => {
    const cn = stats.regions.find((r) => r.region === 'CN')!;
    assert.equal(cn.packets, 46 * 30 + 46 * 20, 'no o1 packets, no s4 packet before its range');
    assert.equal(stats.provenance.skipped.outsideActive, 1);
    assert.equal(stats.group.sensorCount, 4);
  });

  it('records sensor changes', () => {
    assert.deepEqual(stats.group.sensorChanges, [
      { sensor: 's4', kind: 'appeared', date: '2021-10-11' },
      { sensor: 's3', kind: 'silent', date: '2021-11-16' },
    ]);
    assert.ok(warnings.some((w) => w.includes('s3') && w.includes('2021-11-16')));
  });

  it('computes the focus section: shares, distinct sources and honeypot overlap', () => {
    const [focus] = stats.focus;
    assert.ok(focus);
    assert.equal(focus.id, '23-tcp');
    assert.equal(focus.service, 'telnet');
    const total = 46 * 40 + 12 * 2;
    assert.deepEqual(
      focus.regionShares.map((r) => [r.region, r.packets]),
      [
        ['CN', 46 * 30],
        ['US', 46 * 10],
        ['RU', 24],
      ],
    );
    close(focus.regionShares[0]!.share, (46 * 30) / total, 'CN share');
    close(focus.regionShares[0]!.growth, 0, 'CN growth');
    assert.equal(focus.regionShares[2]!.growth, null);
    assert.deepEqual(focus.distinctSources, { current: 6, previous: 2 });
    assert.deepEqual(
      focus.sourceShares.map((s) => [s.region, s.sources, s.share, s.previousShare]),
      [
        ['CN', 3, 3 / 6, 1 / 2],
        ['US', 2, 2 / 6, 1 / 2],
        ['RU', 1, 1 / 6, 0],
      ],
    );
    // H = {203.0.113.1 (3), 203.0.113.99 (5), 192.0.2.1 (2)}; 198.51.100.2 has 1; 198.51.100.1 is in Q3.
    assert.deepEqual(focus.honeypot, { name: 'telnet-pot', threshold: 2, sources: 3, overlap: 2, share: 2 / 3 });
    assert.equal(focus.regionSeries.length, 3);
  });

  it('compares domestic and overseas sensors by month', () => {
    const months = stats.domesticOverseas?.months ?? [];
    assert.deepEqual(
      months.map((m) => m.month),
      ['2021-10', '2021-11', '2021-12'],
    );
    close(months[0]!.domestic, (10 * (62 / 3) + 21 * (92 / 4)) / 31, 'October domestic');
    close(months[1]!.domestic, (15 * (92 / 4) + 15 * (42 / 3)) / 30, 'November domestic');
    close(months[2]!.domestic, (19 * (42 / 3) + 12 * (44 / 3)) / 31, 'December domestic');
    close(months[0]!.overseas, 100, 'October overseas');
    assert.equal(stats.domesticOverseas?.overseasSensorCount, 1);
  });

  it('records provenance', () => {
    assert.equal(stats.provenance.generatedAt, '2022-01-15T00:00:00.000Z');
    assert.deepEqual(stats.provenance.geoip, { name: 'fixture-geo', date: '2021-09-01' });
    assert.deepEqual(
      stats.provenance.inputs.map((i) => i.file),
      ['q4.csv'],
    );
  });

  it('makes previous ranks unknown, with a warning, when the previous quarter is empty', async () => {
    const lines: string[] = [];
    const q1 = await loadQuarterStatsFromStore(store, { quarter: '2021Q3', clock, log: (line) => lines.push(line) });
    assert.ok(q1.ports.every((p) => p.previousRank === 'unknown'));
    assert.equal(q1.previousQuarter.available, false);
    assert.ok(lines.some((l) => l.includes('2021Q2')));
  });

  it('fails clearly for a quarter without data', async () => {
    await assert.rejects(loadQuarterStatsFromStore(store, { quarter: '2022Q2', clock, log: () => {} }), { code: 'NO_DATA' });
  });
});
