import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadQuarterStatsFromStore } from '../../src/aggregate/index.js';
import { ingestPacketFiles } from '../../src/ingest/ingest.js';
import { parseManifest } from '../../src/ingest/manifest.js';
import { MEMORY_STORE, openStore } from '../../src/store/store.js';
import { fixtureGeo } from './fixture.js';

describe('aggregate: sensors silent for the whole quarter', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsubame-silent-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records a sensor active last quarter and silent all this quarter, and notes a ranged sensor that recorded nothing', async () => {
    // s1 reports in both quarters; s2 only in 2021Q3; s5 is active by the manifest but never reports.
    const manifest = parseManifest('sensor,country,address,active_from,active_to\ns1,JP,,,\ns2,JP,,,\ns5,JP,,2021-10-01,\n', 'sensors.csv');
    const lines = ['ts,sensor,src_ip,dst_port,proto'];
    for (let day = 0; day < 10; day++) {
      const q3 = new Date(Date.UTC(2021, 8, 1 + day, 3)).toISOString();
      const q4 = new Date(Date.UTC(2021, 9, 1 + day, 3)).toISOString();
      lines.push(`${q3},s1,203.0.113.1,23,tcp`, `${q3},s2,203.0.113.2,23,tcp`, `${q4},s1,203.0.113.1,23,tcp`);
    }
    const path = join(dir, 'p.csv');
    await writeFile(path, `${lines.join('\n')}\n`);
    const store = await openStore(MEMORY_STORE);
    const warnings: string[] = [];
    try {
      await ingestPacketFiles(store, { files: [path], manifest, geo: fixtureGeo }, { log: () => {}, clock: () => new Date('2022-01-02T00:00:00Z') });
      const stats = await loadQuarterStatsFromStore(store, { quarter: '2021Q4', clock: () => new Date('2022-01-02T00:00:00Z'), log: (l) => warnings.push(l) });
      assert.deepEqual(stats.group.sensorChanges, [
        { sensor: 's2', kind: 'silent', date: '2021-10-01' },
        { sensor: 's1', kind: 'silent', date: '2021-10-11' },
      ]);
      assert.ok(warnings.some((w) => w.includes('Sensor s2 was active in the previous quarter but recorded nothing in 2021Q4')), warnings.join('\n'));
      assert.ok(warnings.some((w) => w.includes('Sensor s5 is active by the manifest on 92 days of 2021Q4 but recorded nothing')), warnings.join('\n'));
      // s5 still counts: two active sensors a day while s1 reports, so one packet a day is 0.5 per sensor.
      assert.equal(stats.ports[0]!.daily![0]!.sensors, 2);
      assert.equal(stats.ports[0]!.daily![0]!.value, 0.5);
    } finally {
      store.close();
    }
  });
});
