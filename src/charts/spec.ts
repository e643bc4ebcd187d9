/**
 * Pure Vega-Lite spec builders: template + data + localised text → spec.
 *
 * Each builder copies its template and sets only data values, titles, series
 * labels, formats and the Vega locale; everything else is the template's.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ReportError } from '../errors.js';
import type { DailyPoint } from '../stats/schema.js';
import type { Formatter } from '../i18n/format.js';
import { formatVegaLocale, type ChartLang } from './format.js';
import type { ChartTemplate } from './templates.js';

/**
 * The language the charts are made for. `t` is an i18next `t` bound to that
 * language, with locales/<lang>/charts.json loaded as the `charts` namespace;
 * keys are asked for as `charts:<key>`.
 */
export interface ChartText {
  t: (key: string, values?: Record<string, unknown>) => string;
  lang: ChartLang;
  /** The report's formatter for the language: numbers, shares, dates and lists in the text. */
  fmt: Formatter;
}

/** One line of a daily chart: a port key or region label and its points. */
export interface DailySeries {
  /** Legend label, already localised: `6379/TCP`, `中国`. */
  label: string;
  points: readonly DailyPoint[];
}

/** What the lines of a daily chart stand for; picks the legend title. */
export type SeriesKind = 'port' | 'region';

/** One bar of a share chart. */
export interface ShareItem {
  /** Region name, already localised. */
  label: string;
  /** Between 0 and 1. */
  share: number;
}

/** One region of a this-quarter vs previous-quarter share chart. */
export interface ShareCompareItem extends ShareItem {
  /** The same share in the previous quarter; null when unknown (no bar is drawn). */
  previousShare: number | null;
}

/** One month of the domestic vs overseas comparison (as in `MonthlyComparison.months`). */
export interface MonthlyItem {
  /** `YYYY-MM`. */
  month: string;
  /** Mean packets per sensor per day; null when no sensor was active. */
  domestic: number | null;
  overseas: number | null;
}

/** Looks up `charts:<key>`; values are interpolated unescaped, the caller escapes for its output. */
export function translate(text: ChartText, key: string, values?: Record<string, unknown>): string {
  return text.t(`charts:${key}`, { ...values, interpolation: { escapeValue: false } });
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A working copy of the template; the template itself stays untouched for the next chart. */
function copyTemplate(template: ChartTemplate): Json {
  return structuredClone(template.spec) as unknown as Json;
}

/** `encoding.<channel>` of the spec; the template must define it, since the code fills it in. */
function channel(spec: Json, name: string, template: ChartTemplate): Json {
  const encoding = spec.encoding;
  const def = isObject(encoding) ? encoding[name] : undefined;
  if (!isObject(def))
    throw new ReportError(
      'CHART_SPEC_INVALID',
      `${template.file}: encoding.${name} is missing; the chart fills in its data, titles and formats.`,
    );
  return def;
}

/** `parent[key]` as an object, created when the template leaves it out. */
function child(parent: Json, key: string): Json {
  const value = parent[key];
  if (isObject(value)) return value;
  const created: Json = {};
  parent[key] = created;
  return created;
}

/** Sets the data, the Vega locale and the accessible description shared by all charts. */
function finish(
  spec: Json,
  values: Json[],
  text: ChartText,
  description: string | undefined,
): TopLevelSpec {
  spec.data = { values };
  const config = child(spec, 'config');
  config.locale = formatVegaLocale(text.lang);
  // Vega's own ARIA labels are English and per data point; the chart is one
  // image whose text alternative is `description`, set on the SVG root.
  config.aria = false;
  if (description !== undefined) spec.description = description;
  return spec as unknown as TopLevelSpec;
}

function setTemporalX(spec: Json, text: ChartText, template: ChartTemplate): void {
  const x = channel(spec, 'x', template);
  x.title = translate(text, 'axis.date');
  child(x, 'axis').format = translate(text, 'format.date');
}

function setValueY(spec: Json, text: ChartText, template: ChartTemplate): void {
  const y = channel(spec, 'y', template);
  y.title = translate(text, 'axis.value');
  child(y, 'axis').format = translate(text, 'format.number');
}

/**
 * Daily series as lines. One series uses the single-line template (no
 * legend); several use the multi-line one, coloured in the given order.
 * A null value leaves a gap in its line.
 */
export function buildDailyLinesSpec(
  series: readonly DailySeries[],
  text: ChartText,
  template: ChartTemplate,
  options: { seriesKind: SeriesKind; description?: string },
): TopLevelSpec {
  const spec = copyTemplate(template);
  setTemporalX(spec, text, template);
  setValueY(spec, text, template);
  const multi = isObject(spec.encoding) && 'color' in spec.encoding;
  if (multi) {
    const color = channel(spec, 'color', template);
    color.title = translate(text, `legend.${options.seriesKind}`);
    // The domain fixes both the legend order and each series' colour to its rank.
    child(color, 'scale').domain = series.map((s) => s.label);
  }
  const lone = series.map((s) => findLonePoints(s.points));
  const values = series.flatMap((s, i) =>
    s.points.map((p, j) => ({
      date: p.date,
      value: p.value,
      ...(multi ? { series: s.label } : {}),
      ...(lone[i]!.has(j) ? { lone: true } : {}),
    })),
  );
  if (lone.some((days) => days.size > 0)) markLonePoints(spec);
  return finish(spec, values, text, options.description);
}

/** Indexes of the values with no value on either side: a line cannot draw them. */
export function findLonePoints(points: readonly { value: number | null }[]): Set<number> {
  const lone = new Set<number>();
  points.forEach((p, i) => {
    if (p.value !== null && (points[i - 1]?.value ?? null) === null && (points[i + 1]?.value ?? null) === null)
      lone.add(i);
  });
  return lone;
}

/**
 * A day whose neighbours have no value is a line of no length, which draws
 * nothing: the template's line becomes the first layer, and a point mark
 * (styled by the template's `config.point`) draws those days, in the series'
 * colour.
 */
function markLonePoints(spec: Json): void {
  spec.layer = [
    { mark: spec.mark },
    { mark: { type: 'point', filled: true }, transform: [{ filter: 'datum.lone === true' }] },
  ];
  delete spec.mark;
}

function setShareAxes(
  spec: Json,
  text: ChartText,
  template: ChartTemplate,
  titleKey: string,
): void {
  const x = channel(spec, 'x', template);
  x.title = translate(text, titleKey);
  child(x, 'axis').format = translate(text, 'format.percent');
  channel(spec, 'y', template).title = translate(text, 'axis.region');
}

/** Share of a port's packets by region, as horizontal bars labelled with percentages, in the given order. */
export function buildShareBarsSpec(
  items: readonly ShareItem[],
  text: ChartText,
  template: ChartTemplate,
  options: { description?: string } = {},
): TopLevelSpec {
  const spec = copyTemplate(template);
  setShareAxes(spec, text, template, 'axis.packetShare');
  const values = items.map((item) => ({
    label: item.label,
    share: item.share,
    shareText: text.fmt.percent(item.share),
  }));
  return finish(spec, values, text, options.description);
}

/** Share of distinct sources by region, this quarter beside the previous quarter, as grouped horizontal bars. */
export function buildShareCompareSpec(
  items: readonly ShareCompareItem[],
  text: ChartText,
  template: ChartTemplate,
  options: { description?: string } = {},
): TopLevelSpec {
  const spec = copyTemplate(template);
  setShareAxes(spec, text, template, 'axis.sourceShare');
  const current = translate(text, 'series.currentQuarter');
  const previous = translate(text, 'series.previousQuarter');
  const color = channel(spec, 'color', template);
  color.title = translate(text, 'legend.period');
  child(color, 'scale').domain = [current, previous];
  const values = items.flatMap((item) => [
    { label: item.label, period: current, share: item.share, shareText: text.fmt.percent(item.share) },
    ...(item.previousShare === null
      ? []
      : [
          {
            label: item.label,
            period: previous,
            share: item.previousShare,
            shareText: text.fmt.percent(item.previousShare),
          },
        ]),
  ]);
  return finish(spec, values, text, options.description);
}

/** Monthly mean packets per sensor per day, domestic beside overseas sensors, as grouped bars. */
export function buildMonthlyCompareSpec(
  months: readonly MonthlyItem[],
  text: ChartText,
  template: ChartTemplate,
  options: { description?: string } = {},
): TopLevelSpec {
  const spec = copyTemplate(template);
  const x = channel(spec, 'x', template);
  x.title = translate(text, 'axis.month');
  child(x, 'axis').format = translate(text, 'format.month');
  setValueY(spec, text, template);
  const domestic = translate(text, 'series.domestic');
  const overseas = translate(text, 'series.overseas');
  const color = channel(spec, 'color', template);
  color.title = translate(text, 'legend.sensorGroup');
  child(color, 'scale').domain = [domestic, overseas];
  const values = months.flatMap((m) => [
    { month: `${m.month}-01`, group: domestic, value: m.domestic },
    { month: `${m.month}-01`, group: overseas, value: m.overseas },
  ]);
  return finish(spec, values, text, options.description);
}
