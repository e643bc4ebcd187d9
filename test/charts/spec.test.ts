import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TopLevelSpec } from 'vega-lite';
import {
  buildDailyLinesSpec,
  buildMonthlyCompareSpec,
  buildShareBarsSpec,
  buildShareCompareSpec,
  loadChartTemplates,
  parseChartTemplate,
  type ChartTemplates,
} from '../../src/charts/index.js';
import { ReportError } from '../../src/errors.js';
import { createChartText, fixtureSeries, LANGS, readChartsLocale } from './fixture.js';

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
// Vega-Lite's own format; hex colours are all the templates use.
ajv.addFormat('color-hex', /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i);
const validateVegaLite = ajv.compile(require('vega-lite/vega-lite-schema.json') as object);

function assertValidVegaLite(spec: TopLevelSpec, name: string): void {
  const ok = validateVegaLite(spec);
  assert.ok(ok, `${name}: ${ajv.errorsText(validateVegaLite.errors, { separator: '\n' })}`);
}

/** Every key path of a nested locale object, e.g. `alt.dailySeries`. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe('charts/spec', () => {
  let templates: ChartTemplates;
  before(async () => {
    templates = await loadChartTemplates();
  });

  it('ships the same locale keys in ja and en', () => {
    assert.deepEqual(
      keyPaths(readChartsLocale('en')).sort(),
      keyPaths(readChartsLocale('ja')).sort(),
    );
  });

  for (const lang of LANGS) {
    it(`emits specs that validate against the Vega-Lite schema (${lang})`, async () => {
      const text = await createChartText(lang);
      const lines = [
        { label: '6379/TCP', points: fixtureSeries(120, 215, ['2021-11-03']) },
        { label: '23/TCP', points: fixtureSeries(300, 280) },
      ];
      const specs: Array<[string, TopLevelSpec]> = [
        [
          'daily lines',
          buildDailyLinesSpec(lines, text, templates.dailyLines, {
            seriesKind: 'port',
            description: 'x',
          }),
        ],
        [
          'daily line',
          buildDailyLinesSpec(lines.slice(0, 1), text, templates.dailyLine, {
            seriesKind: 'region',
          }),
        ],
        [
          // A day with no value on either side adds a point layer.
          'daily lines with a lone day',
          buildDailyLinesSpec(
            [{ label: '6379/TCP', points: fixtureSeries(120, 215, ['2021-11-02', '2021-11-04']) }],
            text,
            templates.dailyLines,
            { seriesKind: 'port' },
          ),
        ],
        [
          'share bars',
          buildShareBarsSpec(
            [
              { label: '中国', share: 0.88 },
              { label: '米国', share: 0.05 },
            ],
            text,
            templates.shareBars,
          ),
        ],
        [
          'share compare',
          buildShareCompareSpec(
            [
              { label: '中国', share: 0.6, previousShare: 0.45 },
              { label: '英国', share: 0.1, previousShare: null },
            ],
            text,
            templates.shareCompare,
          ),
        ],
        [
          'monthly compare',
          buildMonthlyCompareSpec(
            [{ month: '2021-10', domestic: 120, overseas: null }],
            text,
            templates.monthlyCompare,
          ),
        ],
      ];
      for (const [name, spec] of specs) assertValidVegaLite(spec, name);
    });
  }

  it('injects localised titles, formats and the Vega locale, and leaves the template untouched', async () => {
    const text = await createChartText('ja');
    const before = JSON.stringify(templates.dailyLines.spec);
    const spec = buildDailyLinesSpec(
      [
        { label: '中国', points: fixtureSeries(1, 2) },
        { label: '米国', points: fixtureSeries(2, 3) },
      ],
      text,
      templates.dailyLines,
      {
        seriesKind: 'region',
      },
    ) as unknown as {
      encoding: {
        x: { title: string; axis: { format: string } };
        y: { title: string };
        color: { title: string; scale: { domain: string[] } };
      };
      config: { locale: { time: { shortMonths: string[] } }; font: string };
      data: { values: unknown[] };
    };
    const ja = readChartsLocale('ja') as {
      axis: { date: string; value: string };
      legend: { region: string };
      format: { date: string };
    };
    assert.equal(spec.encoding.x.title, ja.axis.date);
    assert.equal(spec.encoding.x.axis.format, ja.format.date);
    assert.equal(spec.encoding.y.title, ja.axis.value);
    assert.equal(spec.encoding.color.title, ja.legend.region);
    assert.deepEqual(spec.encoding.color.scale.domain, ['中国', '米国']);
    assert.equal(spec.config.locale.time.shortMonths[9], '10月');
    assert.equal(spec.config.font, 'Noto Sans JP');
    assert.equal(spec.data.values.length, 2 * 92);
    assert.equal(JSON.stringify(templates.dailyLines.spec), before);
  });

  it('keeps null values as null so that the line breaks', async () => {
    const text = await createChartText('en');
    const spec = buildDailyLinesSpec(
      [{ label: '23/TCP', points: fixtureSeries(1, 2, ['2021-10-05']) }],
      text,
      templates.dailyLine,
      {
        seriesKind: 'port',
      },
    ) as unknown as { data: { values: Array<{ date: string; value: number | null }> } };
    assert.deepEqual(
      spec.data.values.find((v) => v.date === '2021-10-05'),
      { date: '2021-10-05', value: null },
    );
  });

  it('rejects a template whose channel the code fills in is missing', async () => {
    const text = await createChartText('en');
    const broken = parseChartTemplate(
      JSON.stringify({
        ...templates.shareBars.spec,
        encoding: { y: { field: 'label', type: 'nominal' } },
      }),
      'broken.vl.json',
    );
    assert.throws(
      () => buildShareBarsSpec([{ label: 'China', share: 1 }], text, broken),
      (e: unknown) =>
        e instanceof ReportError &&
        e.code === 'CHART_SPEC_INVALID' &&
        /broken\.vl\.json: encoding\.x/.test(e.message),
    );
  });

  it('rejects a template set in another font than the measured one', () => {
    assert.throws(
      () =>
        parseChartTemplate(
          JSON.stringify({ mark: 'bar', config: { font: 'Arial' } }),
          'arial.vl.json',
        ),
      (e: unknown) =>
        e instanceof ReportError &&
        e.code === 'CHART_SPEC_INVALID' &&
        /arial\.vl\.json: config\.font/.test(e.message),
    );
  });
});
