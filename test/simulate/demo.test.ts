import assert from 'node:assert/strict';
import { loadDemoStats } from '../../src/simulate/index.js';
import type { QuarterStats } from '../../src/stats/schema.js';
import { parseQuarterStats } from '../../src/stats/validate.js';

describe('simulate: the bundled demo', () => {
  let first: QuarterStats;
  const clock = () => new Date('2022-01-20T00:00:00Z');

  before(async () => {
    first = await loadDemoStats({ clock });
  });

  it('gives valid statistics for 2021Q4', () => {
    assert.equal(parseQuarterStats(JSON.parse(JSON.stringify(first)), 'demo').quarter, '2021Q4');
  });

  it('gives the same bytes for the same seed', async () => {
    const second = await loadDemoStats({ clock });
    assert.equal(JSON.stringify(second), JSON.stringify(first));
  });

  it('shows every case of the previous-rank column and the surging port', () => {
    const surging = first.ports.find((p) => p.port === 6379 && p.proto === 'tcp');
    assert.ok(surging && surging.rank <= 5, '6379/TCP is in the top 5');
    assert.equal(surging.previousRank, 'outside');
    assert.ok((surging.growth ?? 0) > 1.5, `6379/TCP surges (growth ${surging.growth})`);
    // A swap: some pair of entries whose order reversed since the previous quarter.
    const swapped = first.regions.some((a, i) =>
      first.regions.slice(i + 1).some((b) => typeof a.previousRank === 'number' && typeof b.previousRank === 'number' && a.previousRank > b.previousRank),
    );
    assert.ok(swapped, 'two regions swapped places');
    assert.ok(first.regions.some((r) => r.previousRank === 'outside'));
  });

  it('focuses on the surging port, mostly from one region, with its honeypot', () => {
    const [focus] = first.focus;
    assert.ok(focus);
    assert.equal(focus.id, '6379-tcp');
    assert.equal(focus.regionShares[0]!.region, 'SG');
    assert.ok(focus.regionShares[0]!.share > 0.7);
    assert.ok(focus.honeypot && focus.honeypot.share !== null && focus.honeypot.share > 0);
    assert.ok(focus.distinctSources.previous !== null);
  });

  it('records the sensor that goes silent and the overseas comparison', () => {
    assert.ok(first.group.sensorChanges.some((c) => c.kind === 'silent'));
    assert.equal(first.domesticOverseas?.overseasSensorCount, 2);
  });
});
