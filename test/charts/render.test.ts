import assert from 'node:assert/strict';
import {
  createTextMeasurer,
  loadChartTemplates,
  parseChartTemplate,
  renderDailyLines,
  renderMonthlyCompare,
  renderShareBars,
  renderShareCompare,
  type ChartText,
  type TextMeasurer,
} from '../../src/charts/index.js';
import { FONT_FAMILY, loadFontFaces } from '../../src/fonts/faces.js';
import { createChartText, fixtureSeries, readChartsLocale } from './fixture.js';

interface PlacedText {
  text: string;
  /** Absolute position of the anchor, from the nested translate() transforms. */
  x: number;
  y: number;
  fontSize: number;
  fontWeight: number;
  anchor: string;
  rotated: boolean;
}

function translateOf(attrs: string): [number, number] {
  const m = /transform="translate\(([-\d.e]+),([-\d.e]+)\)/.exec(attrs);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Every <text> of a Vega SVG with its absolute anchor position (Vega positions with translate() only). */
function placedTexts(svg: string): PlacedText[] {
  const stack: Array<[number, number]> = [[0, 0]];
  const out: PlacedText[] = [];
  const tag = /<(\/?)(g|text)\b([^>]*?)(\/?)>([^<]*)/g;
  for (const m of svg.matchAll(tag)) {
    const [, close, name, attrs = '', selfClose, content = ''] = m;
    const [px, py] = stack[stack.length - 1]!;
    if (name === 'g') {
      if (close) stack.pop();
      else if (!selfClose) {
        const [dx, dy] = translateOf(attrs);
        stack.push([px + dx, py + dy]);
      }
    } else if (name === 'text' && !close) {
      const [dx, dy] = translateOf(attrs);
      out.push({
        text: unescapeXml(content),
        x: px + dx,
        y: py + dy,
        fontSize: Number(/font-size="([\d.]+)px"/.exec(attrs)?.[1] ?? 11),
        fontWeight: /font-weight="(bold|[6-9]00)"/.test(attrs) ? 700 : 400,
        anchor: /text-anchor="(\w+)"/.exec(attrs)?.[1] ?? 'start',
        rotated: /rotate\(/.test(attrs),
      });
    }
  }
  return out;
}

function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\bwidth="([\d.]+)" height="([\d.]+)"/.exec(svg);
  assert.ok(m, 'the SVG has a width and a height');
  return { width: Number(m[1]), height: Number(m[2]) };
}

const texts = (svg: string) => placedTexts(svg).map((t) => t.text);

describe('charts/render', () => {
  let ja: ChartText;
  let en: ChartText;
  let measurer: TextMeasurer;
  type Locale = {
    axis: { date: string; value: string };
    legend: { port: string; region: string; period: string };
    series: { currentQuarter: string; previousQuarter: string };
  };
  const jaLocale = readChartsLocale('ja') as Locale;
  const enLocale = readChartsLocale('en') as typeof jaLocale;
  const ports = [
    { label: '6379/TCP', points: fixtureSeries(120, 215) },
    { label: '23/TCP', points: fixtureSeries(300, 280) },
    { label: '22/TCP', points: fixtureSeries(200, 210) },
  ];

  before(async () => {
    [ja, en] = await Promise.all([createChartText('ja'), createChartText('en')]);
    measurer = createTextMeasurer(await loadFontFaces());
  });

  it('writes the localised axis and legend titles into the SVG, in the shipped font', async () => {
    for (const [text, locale] of [
      [ja, jaLocale],
      [en, enLocale],
    ] as const) {
      const { svg } = await renderDailyLines(ports, text, { seriesKind: 'port' });
      const all = texts(svg);
      for (const expected of [
        locale.axis.date,
        locale.axis.value,
        locale.legend.port,
        '6379/TCP',
        '23/TCP',
        '22/TCP',
      ])
        assert.ok(all.includes(expected), `${text.lang}: "${expected}" in ${JSON.stringify(all)}`);
      assert.ok(svg.includes(`font-family="${FONT_FAMILY}"`));
      assert.ok(!/font-family="(?!Noto Sans JP")/.test(svg), 'no other font family');
    }
  });

  it('labels the time axis as 10月10日 in Japanese and Oct 10 in English, on the same days', async () => {
    const jaDays = texts((await renderDailyLines(ports, ja, { seriesKind: 'port' })).svg)
      .map((t) => /^(\d{1,2})月(\d{1,2})日$/.exec(t))
      .filter((m) => m !== null)
      .map((m) => `${m[1]}-${m[2]}`);
    const months = [
      'Jan',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
    ];
    const enDays = texts((await renderDailyLines(ports, en, { seriesKind: 'port' })).svg)
      .map((t) => /^([A-Z][a-z]{2}) (\d{1,2})$/.exec(t))
      .filter((m) => m !== null)
      .map((m) => `${months.indexOf(m[1]!) + 1}-${m[2]}`);
    assert.ok(jaDays.length >= 4, `ja date labels: ${jaDays.join(' ')}`);
    assert.deepEqual(jaDays, enDays);
    // Every tick falls inside the quarter: dates were read as UTC days, not shifted by the process time zone.
    for (const d of jaDays) assert.ok(['10', '11', '12'].includes(d.split('-')[0]!), d);
  });

  it('groups thousands in the value axis', async () => {
    const { svg } = await renderMonthlyCompare(
      [
        { month: '2021-10', domestic: 1890.4, overseas: 2410.7 },
        { month: '2021-11', domestic: 2012.9, overseas: null },
      ],
      en,
    );
    assert.ok(
      texts(svg).some((t) => /^\d{1,3}(,\d{3})+$/.test(t)),
      texts(svg).join(' | '),
    );
    assert.ok(texts(svg).includes('Oct 2021'));
  });

  it('leaves a gap in the line where a value is null', async () => {
    const gaps = ['2021-10-20', '2021-11-15', '2021-11-16'];
    const { svg } = await renderDailyLines(
      [{ label: '6379/TCP', points: fixtureSeries(120, 215, gaps) }],
      en,
      { seriesKind: 'port' },
    );
    const line = /class="mark-line[^"]*"[^>]*>\s*<path[^>]*\bd="([^"]+)"/.exec(svg);
    assert.ok(line, 'a line mark');
    // Two separate runs of missing days split the line into three pieces.
    assert.equal(line[1]!.match(/M/g)?.length, 3);
    const { svg: whole } = await renderDailyLines(
      [{ label: '6379/TCP', points: fixtureSeries(120, 215) }],
      en,
      { seriesKind: 'port' },
    );
    assert.equal(
      /class="mark-line[^"]*"[^>]*>\s*<path[^>]*\bd="([^"]+)"/.exec(whole)![1]!.match(/M/g)?.length,
      1,
    );
  });

  it('marks a day whose neighbours have no value with a point, in its series colour', async () => {
    // 2021-11-16 has a value, the days either side have none: a line alone would draw nothing there.
    const gaps = ['2021-11-15', '2021-11-17'];
    const pointsOf = (svg: string) =>
      [...svg.matchAll(/class="mark-symbol role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g)].flatMap((m) =>
        [...m[1]!.matchAll(/<path\b[^>]*>/g)].map((p) => p[0]),
      );
    const single = await renderDailyLines(
      [{ label: '6379/TCP', points: fixtureSeries(120, 215, gaps) }],
      en,
      { seriesKind: 'port' },
    );
    const marked = pointsOf(single.svg);
    assert.equal(marked.length, 1, 'one point, for the one lone day');
    assert.match(marked[0]!, /fill="#0072b2"/);
    const multi = await renderDailyLines(
      [
        { label: '6379/TCP', points: fixtureSeries(120, 215) },
        { label: '23/TCP', points: fixtureSeries(300, 280, gaps) },
      ],
      en,
      { seriesKind: 'port' },
    );
    const second = pointsOf(multi.svg);
    assert.equal(second.length, 1);
    // The second series' colour, from the template's category range.
    assert.match(second[0]!, /fill="#e69f00"/);
    // A series with no lone day gets no points at all.
    const whole = await renderDailyLines(
      [{ label: '6379/TCP', points: fixtureSeries(120, 215, ['2021-11-15', '2021-11-16']) }],
      en,
      { seriesKind: 'port' },
    );
    assert.equal(pointsOf(whole.svg).length, 0);
  });

  it('leaves room in the SVG for the longest Japanese legend label, untruncated', async () => {
    const regions = ['中国', '米国', 'シンガポール', 'アラブ首長国連邦', 'ロシア'].map(
      (label, i) => ({ label, points: fixtureSeries(100 + 10 * i, 150) }),
    );
    const { svg } = await renderDailyLines(regions, ja, { seriesKind: 'region' });
    const { width, height } = svgSize(svg);
    const placed = placedTexts(svg);
    for (const { label } of regions) {
      const item = placed.find((t) => t.text === label);
      assert.ok(item, `legend label ${label} drawn whole`);
      assert.equal(item.anchor, 'start');
      const right =
        item.x + measurer.width(label, item.fontSize, item.fontWeight === 700 ? 700 : 400);
      assert.ok(right <= width, `${label} ends at ${right}, SVG is ${width} wide`);
      assert.ok(item.y > 0 && item.y <= height);
    }
    // The legend sits right of the plot, so its labels cannot overlap the lines.
    const longest = placed.find((t) => t.text === 'アラブ首長国連邦')!;
    const axisLabels = placed.filter((t) => /^\d+月\d+日$/.test(t.text));
    assert.ok(longest.x > Math.max(...axisLabels.map((t) => t.x)) + 20);
  });

  it('renders the share charts with their percentages and the localised period legend', async () => {
    const bars = await renderShareBars(
      [
        { label: '中国', share: 0.88 },
        { label: 'シンガポール', share: 0.045 },
      ],
      ja,
      { subject: '6379/TCP' },
    );
    assert.ok(texts(bars.svg).includes('88%'));
    assert.ok(texts(bars.svg).includes('4.5%'));
    const compare = await renderShareCompare(
      [
        { label: 'China', share: 0.61, previousShare: 0.47 },
        { label: 'Russia', share: 0.13, previousShare: null },
      ],
      en,
      {
        subject: '6379/TCP',
      },
    );
    const all = texts(compare.svg);
    for (const expected of [
      enLocale.series.currentQuarter,
      enLocale.series.previousQuarter,
      enLocale.legend.period,
      '61%',
      '47%',
      '13%',
    ])
      assert.ok(all.includes(expected), `"${expected}" in ${JSON.stringify(all)}`);
    // No bar for an unknown previous share: three value labels beside the axis ticks (multiples of 20%).
    assert.equal(all.filter((t) => /^\d+%$/.test(t) && parseInt(t, 10) % 20 !== 0).length, 3);
  });

  it('prefixes SVG ids when asked, so inline charts on one page cannot collide', async () => {
    // The shipped templates draw no clip paths; a restyled one may, and clipping needs ids.
    const templates = await loadChartTemplates();
    const clipped = structuredClone(templates.shareBars.spec) as unknown as {
      layer: Array<{ mark: Record<string, unknown> }>;
    };
    clipped.layer[0]!.mark.clip = true;
    const custom = {
      ...templates,
      shareBars: parseChartTemplate(JSON.stringify(clipped), 'clipped.vl.json'),
    };
    const { svg } = await renderShareBars([{ label: '中国', share: 1 }], ja, {
      subject: '6379/TCP',
      idPrefix: 'fig3-',
      templates: custom,
    });
    assert.ok(/<clipPath id="fig3-/.test(svg), 'a clip path with the prefix');
    for (const m of svg.matchAll(/\bid="([^"]+)"/g)) assert.ok(m[1]!.startsWith('fig3-'), m[1]);
    for (const m of svg.matchAll(/url\(#([^)]+)\)/g)) assert.ok(m[1]!.startsWith('fig3-'), m[1]);
  });
});
