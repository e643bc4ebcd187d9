import { loadDemoStats } from '../../src/simulate/index.js';
import { assertGolden } from '../helpers/golden.js';

describe('demo statistics (golden)', function () {
  this.timeout(60_000);
  it('come out of the whole pipeline as before', async () => {
    // The clock is pinned; the seed is the demo's own.
    const stats = await loadDemoStats({ clock: () => new Date('2022-01-14T00:00:00.000Z') });
    await assertGolden('demo-stats.2021Q4.json', `${JSON.stringify(stats, null, 1)}\n`);
  });
});
