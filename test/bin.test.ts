import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import { formatAddressSql, formatRegionSql, openStore, queryRows } from '../src/store/store.js';
import { buildPcap, ethernet, ipv4, tcp } from './helpers/capture-writer.js';
import { writeMmdb } from './helpers/mmdb-writer.js';
import { FIXTURE_STATS_PATH } from './helpers/report-context.js';

/** Runs the installed command (bin/ → the compiled bundle under dist/bundle/), as a user does. */
function runBin(
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PACKAGE_ROOT, 'bin', 'tsubame-report.js'), ...args],
      { cwd: PACKAGE_ROOT, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const failed = error as
          (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
        resolve({
          code: failed ? (typeof failed.code === 'number' ? failed.code : null) : 0,
          signal: failed?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

describe('the tsubame-report command', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsubame-bin-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs from its compiled bundle', async () => {
    const result = await runBin(['--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /build \[options\]/);
  });

  it('ingests CSV and a capture with a --geoip database, from the bundle (its worker thread and packages)', async () => {
    const mmdb = join(dir, 'country.mmdb');
    await writeFile(
      mmdb,
      writeMmdb({
        databaseType: 'GeoLite2-Country',
        buildEpoch: Date.UTC(2021, 8, 28, 12) / 1000,
        networks: [{ network: '198.51.100.0/24', value: { country: { iso_code: 'NL' } } }],
      }),
    );
    const sensors = join(dir, 'sensors.csv');
    await writeFile(sensors, 'sensor,country,address\ns1,JP,192.0.2.10\n');
    const csv = join(dir, 'packets.csv');
    await writeFile(csv, 'ts,sensor,src_ip,dst_port,proto\n2021-10-01T00:00:00Z,s1,198.51.100.7,23,tcp\n');
    const pcap = join(dir, 'packets.pcap');
    const frame = ethernet(ipv4({ src: '203.0.113.5', dst: '192.0.2.10', protocol: 6, payload: tcp(445) }));
    await writeFile(pcap, buildPcap({ records: [{ sec: Date.UTC(2021, 9, 2) / 1000, frac: 0, data: frame }] }));
    const store = join(dir, 'store.duckdb');
    const result = await runBin(['ingest', '--store', store, '--sensors', sensors, '--geoip', mmdb, csv, pcap]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /total: read 2 \/ accepted 2 /);
    const opened = await openStore(store);
    try {
      const rows = await queryRows(
        opened.connection,
        `SELECT ${formatAddressSql('src')} AS src, port, ${formatRegionSql('region')} AS region FROM packets ORDER BY port`,
      );
      assert.deepEqual(rows, [
        { src: '198.51.100.7', port: 23, region: 'NL' },
        { src: '203.0.113.5', port: 445, region: 'ZZ' },
      ]);
      const files = await queryRows(opened.connection, 'SELECT geoip_name, geoip_date FROM files ORDER BY id');
      assert.deepEqual(files, [
        { geoip_name: 'GeoLite2-Country', geoip_date: '2021-09-28' },
        { geoip_name: 'GeoLite2-Country', geoip_date: '2021-09-28' },
      ]);
    } finally {
      opened.close();
    }
  });

  it('exits on a bad quarter config, closing the browser it started early', async () => {
    // The browser starts before the config is read; a build that never begins must still close it,
    // or the process would wait on it forever (the timeout turns that into a failure here).
    const config = join(dir, 'bad.json');
    await writeFile(config, JSON.stringify({ focus: [{ port: 'six', proto: 'tcp' }] }));
    const result = await runBin(
      ['build', '--stats', FIXTURE_STATS_PATH, '--config', config, '--out', dir],
      30_000,
    );
    assert.equal(result.signal, null, `the command did not exit: ${result.stderr}`);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /bad\.json/);
    assert.match(result.stderr, /focus\[0\]\.port/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
