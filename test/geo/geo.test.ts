import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIngest } from '../../src/commands/ingest.js';
import { loadMmdbGeo } from '../../src/geo/geo.js';
import { formatAddressSql, formatRegionSql, openStore, queryRows } from '../../src/store/store.js';
import { writeMmdb } from '../helpers/mmdb-writer.js';

// Fixture databases: a handful of documentation ranges with made-up countries.
const BUILT = Date.UTC(2021, 8, 28, 12) / 1000;
const MAXMIND_LAYOUT = writeMmdb({
  databaseType: 'GeoLite2-Country',
  buildEpoch: BUILT,
  networks: [
    { network: '192.0.2.0/24', value: { country: { iso_code: 'JP', names: { en: 'Japan' } }, registered_country: { iso_code: 'JP' } } },
    { network: '198.51.100.0/25', value: { country: { iso_code: 'nl' } } },
    { network: '2001:db8::/32', value: { country: { iso_code: 'DE' } } },
    // A record with a registered country only: not a country of the address, so unknown.
    { network: '203.0.113.0/24', value: { registered_country: { iso_code: 'US' } } },
  ],
});
const FLAT_LAYOUT = writeMmdb({
  databaseType: 'DBIP-Country-Lite',
  buildEpoch: BUILT,
  networks: [
    { network: '192.0.2.0/24', value: { country_code: 'KR' } },
    { network: '2001:db8::/32', value: { country_code: 'SG' } },
  ],
});

describe('geo: MaxMind-format databases (--geoip)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsubame-geo-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the country.iso_code layout, with name and date from the metadata', async () => {
    const path = join(dir, 'maxmind.mmdb');
    await writeFile(path, MAXMIND_LAYOUT);
    const geo = await loadMmdbGeo(path);
    assert.equal(geo.name, 'GeoLite2-Country');
    assert.equal(geo.date, '2021-09-28');
    assert.equal(geo.lookup('192.0.2.77'), 'JP');
    assert.equal(geo.lookup('198.51.100.5'), 'NL', 'codes are upper-cased');
    assert.equal(geo.lookup('198.51.100.200'), 'ZZ', 'outside the /25');
    assert.equal(geo.lookup('2001:db8:1::9'), 'DE');
    assert.equal(geo.lookup('203.0.113.9'), 'ZZ', 'registered_country is not where the address is');
    assert.equal(geo.lookup('10.0.0.1'), 'ZZ');
  });

  it('reads the flat country_code layout', async () => {
    const path = join(dir, 'flat.mmdb');
    await writeFile(path, FLAT_LAYOUT);
    const geo = await loadMmdbGeo(path);
    assert.equal(geo.name, 'DBIP-Country-Lite');
    assert.equal(geo.lookup('192.0.2.1'), 'KR');
    assert.equal(geo.lookup('2001:db8::1'), 'SG');
    assert.equal(geo.lookup('8.8.8.8'), 'ZZ');
  });

  it('refuses a file that is not a MaxMind database', async () => {
    const path = join(dir, 'not.mmdb');
    await writeFile(path, 'ts,src_ip\n');
    await assert.rejects(loadMmdbGeo(path), { code: 'BAD_ARGUMENT' });
    await assert.rejects(loadMmdbGeo(join(dir, 'missing.mmdb')), { code: 'BAD_ARGUMENT' });
  });

  it('refuses a database whose build date is no date, which would be recorded as the data version', async () => {
    const path = join(dir, 'odd-epoch.mmdb');
    // Milliseconds where seconds belong: the year 53710.
    await writeFile(path, writeMmdb({ databaseType: 'GeoLite2-Country', buildEpoch: BUILT * 1000, networks: [] }));
    await assert.rejects(loadMmdbGeo(path), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'BAD_ARGUMENT');
      assert.match(error.message, /odd-epoch\.mmdb: its metadata gives no build date/);
      return true;
    });
  });

  it('ingest --geoip places sources with the database and records it as provenance', async () => {
    const path = join(dir, 'maxmind-ingest.mmdb');
    await writeFile(path, MAXMIND_LAYOUT);
    const sensors = join(dir, 'sensors.csv');
    await writeFile(sensors, 'sensor,country\ns1,JP\n');
    const packets = join(dir, 'p.csv');
    await writeFile(
      packets,
      [
        'ts,sensor,src_ip,dst_port,proto',
        '2021-10-01T00:00:00Z,s1,192.0.2.5,23,tcp',
        '2021-10-01T00:00:01Z,s1,::ffff:192.0.2.6,23,tcp',
        '2021-10-01T00:00:02Z,s1,2001:DB8::7,23,tcp',
        '2021-10-01T00:00:03Z,s1,8.8.8.8,23,tcp',
        '',
      ].join('\n'),
    );
    const storePath = join(dir, 'store.duckdb');
    await runIngest({ store: storePath, sensors, geoip: path, files: [packets] }, { log: () => {}, clock: () => new Date('2022-01-01T00:00:00Z') });
    const store = await openStore(storePath);
    try {
      const rows = await queryRows<{ src: string; region: string }>(
        store.connection,
        `SELECT ${formatAddressSql('src')} AS src, ${formatRegionSql('region')} AS region FROM packets ORDER BY ts`,
      );
      assert.deepEqual(rows, [
        { src: '192.0.2.5', region: 'JP' },
        { src: '192.0.2.6', region: 'JP' },
        { src: '2001:db8::7', region: 'DE' },
        { src: '8.8.8.8', region: 'ZZ' },
      ]);
      const files = await queryRows<{ geoip_name: string; geoip_date: string }>(store.connection, 'SELECT geoip_name, geoip_date FROM files');
      assert.deepEqual(files, [{ geoip_name: 'GeoLite2-Country', geoip_date: '2021-09-28' }]);
    } finally {
      store.close();
    }
  });
});
