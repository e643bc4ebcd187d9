import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDaySegments, formatLocalDate, formatQuarterSpan, type DaySegment } from '../../src/aggregate/time.js';
import { ingestPacketFiles } from '../../src/ingest/ingest.js';
import { parseManifest } from '../../src/ingest/manifest.js';
import { loadQuarterData } from '../../src/store/quarter.js';
import { MEMORY_STORE, openStore } from '../../src/store/store.js';
import { fixtureGeo } from './fixture.js';

/** The day index the segments give an instant, as the store's SQL computes it. */
function dayOf(segments: DaySegment[], t: number): number {
  const segment = segments.find((s) => t >= s.startMs && t < s.endMs)!;
  return segment.regular ? segment.firstDay + Math.floor((t - segment.startMs) / 86_400_000) : segment.firstDay;
}

describe('aggregate: local days', () => {
  const zones = ['Asia/Tokyo', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
  for (const timeZone of zones)
    it(`puts every instant of a quarter on its local day through the day segments (${timeZone})`, () => {
      for (const quarter of [{ year: 2021, q: 1 }, { year: 2021, q: 4 }, { year: 2022, q: 2 }]) {
        const span = formatQuarterSpan(quarter, timeZone);
        const segments = formatDaySegments(span);
        assert.equal(segments[0]!.startMs, span.startMs);
        assert.equal(segments[segments.length - 1]!.endMs, span.endMs);
        // Every half hour, and a millisecond either side of every hour.
        for (let t = span.startMs; t < span.endMs; t += 1_800_000) {
          for (const at of t % 3_600_000 === 0 ? [t - 1, t, t + 1] : [t]) {
            if (at < span.startMs || at >= span.endMs) continue;
            assert.equal(span.days[dayOf(segments, at)], formatLocalDate(at, timeZone), `${timeZone} ${new Date(at).toISOString()}`);
          }
        }
      }
    });

  it('counts the last hour of a 25-hour day on that day in the store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsubame-days-'));
    const store = await openStore(MEMORY_STORE);
    try {
      const path = join(dir, 'dst.csv');
      // Europe/Berlin leaves summer time on 2021-10-31 (day 30 of 2021Q4), a day of 25 hours.
      const instants = ['2021-10-30T23:30:00+02:00', '2021-10-31T00:30:00+02:00', '2021-10-31T23:30:00+01:00', '2021-11-01T00:00:00+01:00'];
      await writeFile(path, `ts,sensor,src_ip,dst_port,proto\n${instants.map((ts) => `${ts},s1,8.8.8.8,23,tcp`).join('\n')}\n`);
      await ingestPacketFiles(store, { files: [path], manifest: parseManifest('sensor,country\ns1,DE\n', 'm.csv'), geo: fixtureGeo }, { log: () => {}, clock: () => new Date(0) });
      const span = formatQuarterSpan({ year: 2021, q: 4 }, 'Europe/Berlin');
      const data = await loadQuarterData(store, { span, homeCountry: 'DE', focus: [] });
      assert.deepEqual(
        data.sensorDays.map((d) => [span.days[d.day], d.packets]),
        [
          ['2021-10-30', 1],
          ['2021-10-31', 2],
          ['2021-11-01', 1],
        ],
      );
      assert.deepEqual(data.portDaily.map((d) => [span.days[d.day], d.packets]), [['2021-10-30', 1], ['2021-10-31', 2], ['2021-11-01', 1]]);
    } finally {
      store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
