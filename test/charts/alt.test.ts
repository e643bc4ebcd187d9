import assert from 'node:assert/strict';
import {
  formatDailyLinesAlt,
  formatMonthlyCompareAlt,
  formatShareBarsAlt,
  formatShareCompareAlt,
  renderDailyLines,
  type ChartText,
} from '../../src/charts/index.js';
import type { DailyPoint } from '../../src/stats/schema.js';
import { createChartText, fixtureSeries, quarterDates } from './fixture.js';

/** First, last and peak of the non-null values, computed here independently of the code under test. */
function expectedSummary(points: DailyPoint[]) {
  const defined = points.filter((p) => p.value !== null) as Array<DailyPoint & { value: number }>;
  let peak = defined[0]!;
  for (const p of defined) if (p.value > peak.value) peak = p;
  return {
    first: defined[0]!.value,
    last: defined.at(-1)!.value,
    peak: peak.value,
    peakDate: peak.date,
  };
}

const utc = (date: string) => new Date(`${date}T00:00:00Z`);

describe('charts/alt', () => {
  let ja: ChartText;
  let en: ChartText;
  // Fixture: the first and last days of the whole group are missing in both series, plus one day in one series only.
  const allGap = ['2021-10-01', '2021-11-20'];
  const ports = [
    { label: '6379/TCP', points: fixtureSeries(120, 215, [...allGap, '2021-12-01']) },
    { label: '23/TCP', points: fixtureSeries(300, 280, allGap) },
  ];

  before(async () => {
    [ja, en] = await Promise.all([createChartText('ja'), createChartText('en')]);
  });

  for (const lang of ['ja', 'en'] as const) {
    it(`describes each line by its first, last and peak values (${lang})`, () => {
      const text = lang === 'ja' ? ja : en;
      const alt = formatDailyLinesAlt(ports, text);
      const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
      const day = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', month: 'long', day: 'numeric' });
      for (const series of ports) {
        const s = expectedSummary(series.points);
        const sentence =
          lang === 'ja'
            ? `${series.label}は${number.format(s.first)}から${number.format(s.last)}パケット/センサー/日に推移しました（最大${number.format(s.peak)}、${day.format(utc(s.peakDate))}）。`
            : `${series.label} went from ${number.format(s.first)} to ${number.format(s.last)} packets per sensor per day (peak ${number.format(s.peak)} on ${day.format(utc(s.peakDate))}).`;
        assert.ok(alt.includes(sentence), `${alt}\n  should include\n${sentence}`);
      }
      // Days where no series has a value: only the ones missing from both.
      assert.ok(
        alt.includes(
          lang === 'ja'
            ? `値のない日が${allGap.length}日あります。`
            : `Days with no value: ${allGap.length}.`,
        ),
        alt,
      );
      // The fixture spans 2021Q4; the range pattern is the locale's (format.dateRange).
      assert.deepEqual([quarterDates()[0], quarterDates().at(-1)], ['2021-10-01', '2021-12-31']);
      const period = lang === 'ja' ? '2021年10月1日～12月31日' : 'October 1 – December 31, 2021';
      assert.ok(
        alt.startsWith(lang === 'ja' ? `折れ線グラフ、${period}。` : `Line chart, ${period}. `),
        alt,
      );
    });
  }

  it('says when a series has no value at all', () => {
    const empty = quarterDates().map((date) => ({ date, value: null, packets: 0, sensors: 0 }));
    assert.ok(
      formatDailyLinesAlt([{ label: '8/ICMP', points: empty }], en).includes(
        '8/ICMP has no values.',
      ),
    );
  });

  it('lists region shares with the report’s percent rule', () => {
    const items = [
      { label: '中国', share: 0.8812 },
      { label: 'シンガポール', share: 0.0449 },
      { label: '米国', share: 0.0739 },
    ];
    const whole = new Intl.NumberFormat('ja', { style: 'percent', maximumFractionDigits: 0 });
    const one = new Intl.NumberFormat('ja', {
      style: 'percent',
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
    const listed = items
      .map((i) => `${i.label} ${(i.share < 0.1 ? one : whole).format(i.share)}`)
      .join('、');
    assert.equal(
      formatShareBarsAlt(items, ja, '6379/TCP'),
      `横棒グラフ。6379/TCPのパケット数の地域別割合：${listed}。`,
    );
  });

  it('compares source shares with the previous quarter, unknown ones named as such', () => {
    const alt = formatShareCompareAlt(
      [
        { label: 'China', share: 0.6, previousShare: 0.45 },
        { label: 'Russia', share: 0.25, previousShare: null },
      ],
      en,
      '6379/TCP',
    );
    assert.ok(
      alt.endsWith(
        ': China 60% (previous quarter 45%) and Russia 25% (previous quarter no value).',
      ),
      alt,
    );
  });

  it('gives each month both groups’ values', () => {
    const alt = formatMonthlyCompareAlt(
      [
        { month: '2021-10', domestic: 1890.44, overseas: 2410.7 },
        { month: '2021-11', domestic: null, overseas: 2388.1 },
      ],
      ja,
    );
    assert.ok(
      alt.includes(
        `2021年10月は国内${(1890.44).toLocaleString('ja', { maximumFractionDigits: 1 })}・海外2,410.7`,
      ),
      alt,
    );
    assert.ok(alt.includes('2021年11月は国内値なし・海外2,388.1'), alt);
  });

  it('leaves labels unescaped and puts the text alternative into the SVG as its label', async () => {
    const { svg, alt } = await renderDailyLines(
      [{ label: 'A&B <x>', points: fixtureSeries(1, 2) }],
      en,
      { seriesKind: 'port' },
    );
    assert.ok(alt.includes('A&B <x> went from'));
    assert.ok(
      svg.startsWith('<svg role="img" aria-label="Line chart, October 1'),
      svg.slice(0, 400),
    );
    assert.ok(svg.includes('A&amp;B &lt;x&gt; went from'), 'escaped in the SVG');
    // Only the root carries a label: Vega's per-mark English labels are off.
    assert.equal(svg.match(/aria-label=/g)?.length, 1);
  });
});
