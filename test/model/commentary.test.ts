import assert from 'node:assert/strict';
import { renderCommentary } from '../../src/model/commentary.js';
import { buildReportModel, type ChartRenderer } from '../../src/model/report.js';
import { formatFocusValues } from '../../src/model/sentences.js';
import { loadFixtureStats, loadTranslator } from '../helpers/report-context.js';

/** Charts are not under test here: a renderer that draws nothing (the model only passes their output through). */
const noCharts: ChartRenderer = {
  dailyLines: async () => ({ svg: '<svg></svg>', alt: '' }),
  shareBars: async () => ({ svg: '<svg></svg>', alt: '' }),
  shareCompare: async () => ({ svg: '<svg></svg>', alt: '' }),
  monthlyCompare: async () => ({ svg: '<svg></svg>', alt: '' }),
};

describe('model/commentary', () => {
  it('escapes everything, then allows paragraphs, **bold** and *italics* only', () => {
    assert.deepEqual(renderCommentary('One <b>bold</b> & **strong**.\n\nTwo *em* <script>x</script>'), [
      'One &lt;b&gt;bold&lt;/b&gt; &amp; <b>strong</b>.',
      'Two <i>em</i> &lt;script&gt;x&lt;/script&gt;',
    ]);
    assert.deepEqual(renderCommentary('  \n\n '), []);
  });

  it('receives the section’s values already formatted for its language', async () => {
    const stats = await loadFixtureStats();
    const focus = stats.focus[0]!;
    const models = [];
    for (const lang of ['ja', 'en'] as const) {
      const { tr, fmt } = await loadTranslator(lang);
      const values = formatFocusValues({ t: tr.t, fmt }, focus);
      // The values the commentary can use, formatted by the language's rules.
      assert.equal(values.overlapShare, fmt.percent(focus.honeypot!.share!));
      assert.equal(values.growth, fmt.ratio(focus.growth!));
      const model = await buildReportModel(stats, { lang, t: tr.t, has: tr.has, fmt, charts: noCharts });
      models.push({ lang, values, commentary: model.focus[0]!.commentary.join('\n') });
    }
    const [ja, en] = models;
    assert.match(ja!.values.growth, /^約\d\.\d倍$/);
    assert.match(en!.values.growth, /^about \d\.\d times$/);
    // locales/<lang>/2021Q4.json uses {{share}} and **{{overlapShare}}**.
    assert.ok(ja!.commentary.includes(`<b>${ja!.values.overlapShare}</b>`), ja!.commentary);
    assert.ok(en!.commentary.includes(`<b>${en!.values.overlapShare}</b>`), en!.commentary);
    assert.ok(ja!.commentary.includes(`${ja!.values.topRegion}が${ja!.values.share}`), ja!.commentary);
    assert.ok(en!.commentary.includes(`${en!.values.topRegion} sent ${en!.values.share}`), en!.commentary);
  });
});
