import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT, renderPages } from '../../src/build.js';
import {
  createMemoryChartCache,
  formatChartCacheKey,
  loadChartCacheDir,
  type ChartCache,
} from '../../src/charts/cache.js';
import { renderDailyLines, type ChartText } from '../../src/charts/index.js';
import { loadFixtureStats } from '../helpers/report-context.js';
import { createChartText, fixtureSeries } from './fixture.js';

/** A cache that records what the renderer asks of it. */
function createRecordingCache(preset: Map<string, string> = new Map()): ChartCache & { gets: string[]; sets: string[] } {
  const gets: string[] = [];
  const sets: string[] = [];
  return {
    gets,
    sets,
    get: async (key) => (gets.push(key), preset.get(key)),
    set: async (key, svg) => {
      sets.push(key);
      preset.set(key, svg);
    },
  };
}

describe('charts/cache', () => {
  let en: ChartText;
  let ja: ChartText;
  const series = [{ label: '6379/TCP', points: fixtureSeries(120, 215) }];

  before(async () => {
    [ja, en] = await Promise.all([createChartText('ja'), createChartText('en')]);
  });

  it('draws a chart once, then serves the same SVG from the cache', async () => {
    const cache = createRecordingCache();
    const first = await renderDailyLines(series, en, { seriesKind: 'port', idPrefix: 'f1-', cache });
    assert.equal(cache.sets.length, 1, 'a miss stores the drawing');
    const second = await renderDailyLines(series, en, { seriesKind: 'port', idPrefix: 'f1-', cache });
    assert.equal(cache.sets.length, 1, 'a hit stores nothing');
    assert.equal(second.svg, first.svg);
  });

  it('takes a cached drawing without drawing it', async () => {
    const spec = (await renderDailyLines(series, en, { seriesKind: 'port' })).spec;
    const marker = '<svg data-from="cache"></svg>';
    const cache = createRecordingCache(new Map([[formatChartCacheKey(spec, 'f2-'), marker]]));
    const chart = await renderDailyLines(series, en, { seriesKind: 'port', idPrefix: 'f2-', cache });
    assert.equal(chart.svg, marker);
    assert.equal(cache.sets.length, 0);
  });

  it('keys a drawing by its data, its language and its id prefix', async () => {
    const spec = (text: ChartText, points = series) => renderDailyLines(points, text, { seriesKind: 'port' }).then((c) => c.spec);
    const base = formatChartCacheKey(await spec(en), 'f1-');
    assert.equal(formatChartCacheKey(await spec(en), 'f1-'), base);
    assert.notEqual(formatChartCacheKey(await spec(ja), 'f1-'), base);
    assert.notEqual(formatChartCacheKey(await spec(en), 'f2-'), base);
    const changed = [{ label: '6379/TCP', points: fixtureSeries(120, 216) }];
    assert.notEqual(formatChartCacheKey(await spec(en, changed), 'f1-'), base);
  });

  it('builds the same pages from cached drawings as from fresh ones', async () => {
    const stats = await loadFixtureStats();
    const cache = createMemoryChartCache();
    const fresh = await renderPages(stats, ['ja', 'en'], PACKAGE_ROOT, { now: () => 0 });
    const filling = await renderPages(stats, ['ja', 'en'], PACKAGE_ROOT, { now: () => 0 }, { chartCache: cache });
    const filled = cache.size;
    assert.ok(filled > 0, 'the charts were stored');
    const cached = await renderPages(stats, ['ja', 'en'], PACKAGE_ROOT, { now: () => 0 }, { chartCache: cache });
    assert.equal(cache.size, filled, 'the second build drew nothing new');
    for (let i = 0; i < fresh.length; i++) {
      assert.equal(filling[i]!.page.html, fresh[i]!.page.html);
      assert.equal(cached[i]!.page.html, fresh[i]!.page.html);
    }
  });

  describe('on disk', () => {
    let root: string;
    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), 'tsubame-chart-cache-'));
    });
    afterEach(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('keeps drawings across processes, in a folder of the build', async () => {
      const first = await loadChartCacheDir(root, 'a1');
      assert.ok(first);
      await first.set('k1', '<svg>1</svg>');
      const again = await loadChartCacheDir(root, 'a1');
      assert.equal(await again!.get('k1'), '<svg>1</svg>');
      assert.equal(await again!.get('k2'), undefined);
      assert.deepEqual(await readdir(root), ['build-a1']);
    });

    it('takes a damaged drawing for a miss', async () => {
      const cache = await loadChartCacheDir(root, 'a1');
      await cache!.set('k1', '<svg><g></g></svg>');
      await writeFile(join(root, 'build-a1', 'k1.svg'), '<svg><g>');
      assert.equal(await cache!.get('k1'), undefined);
    });

    it('drops the drawings of other builds, and nothing else in its folder', async () => {
      await (await loadChartCacheDir(root, 'a1'))!.set('k1', '<svg>1</svg>');
      await writeFile(join(root, 'notes.txt'), 'not the cache’s');
      await mkdir(join(root, 'photos'));
      const next = await loadChartCacheDir(root, 'b2');
      assert.equal(await next!.get('k1'), undefined);
      assert.deepEqual((await readdir(root)).sort(), ['build-b2', 'notes.txt', 'photos']);
    });

    it('has no disk cache without a build id (running from source)', async () => {
      assert.equal(await loadChartCacheDir(root, undefined), undefined);
    });

    it('is no cache, not an error, where it cannot be written', async () => {
      const blocked = join(root, 'file');
      await writeFile(blocked, 'not a folder');
      assert.equal(await loadChartCacheDir(join(blocked, 'charts'), 'a1'), undefined);
      await mkdir(join(root, 'ok'));
      const cache = await loadChartCacheDir(join(root, 'ok'), 'a1');
      await rm(join(root, 'ok'), { recursive: true });
      await cache!.set('k1', '<svg></svg>');
      assert.equal(await cache!.get('k1'), undefined);
    });
  });
});
