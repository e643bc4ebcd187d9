/**
 * Rendering the report's charts: static SVG, with no browser and no
 * client-side JavaScript.
 *
 *   template + data + ChartText ──build*Spec──▶ Vega-Lite spec
 *        ──cache hit──▶ SVG
 *        ──miss: drawChart (draw.ts: vega-lite → vega → SVG)──▶ SVG, kept in the cache
 *
 * The text alternative is generated from the data (alt.ts) every time.
 */
import type { TopLevelSpec } from 'vega-lite';
import { formatChartCacheKey, type ChartCache } from './cache.js';
import {
  formatDailyLinesAlt,
  formatMonthlyCompareAlt,
  formatShareBarsAlt,
  formatShareCompareAlt,
} from './alt.js';
import {
  buildDailyLinesSpec,
  buildMonthlyCompareSpec,
  buildShareBarsSpec,
  buildShareCompareSpec,
  type ChartText,
  type DailySeries,
  type MonthlyItem,
  type SeriesKind,
  type ShareCompareItem,
  type ShareItem,
} from './spec.js';
import { loadChartTemplates, type ChartTemplates } from './templates.js';

/** A rendered chart. */
export interface RenderedChart {
  /** Standalone SVG markup, with explicit width and height; its text uses the `Noto Sans JP` family. */
  svg: string;
  /** Text alternative generated from the data, plain (unescaped) text in the chart's language. */
  alt: string;
  /** The Vega-Lite spec the SVG was rendered from. */
  spec: TopLevelSpec;
}

/** Options every chart accepts. */
export interface RenderOptions {
  /** Templates to style the chart with; default: the package's templates/charts/, read once. */
  templates?: ChartTemplates;
  /**
   * Prefix for the ids inside the SVG (clip paths, gradients). Give each chart
   * on one page its own, since inline SVGs share the page's id space.
   */
  idPrefix?: string;
  /** SVGs drawn before, by spec; a chart found here is not drawn again. */
  cache?: ChartCache;
}

let defaultTemplates: Promise<ChartTemplates> | undefined;

function templatesOf(options: RenderOptions): Promise<ChartTemplates> {
  if (options.templates) return Promise.resolve(options.templates);
  defaultTemplates ??= loadChartTemplates();
  return defaultTemplates;
}

/**
 * Renders any Vega-Lite spec to SVG with the report's text measurement
 * (drawChart in draw.ts), or takes the SVG from `options.cache` when this
 * spec was drawn before. The chart stack is loaded only on a miss.
 */
export async function renderChart(
  spec: TopLevelSpec,
  options: { idPrefix?: string; name?: string; cache?: ChartCache } = {},
): Promise<string> {
  const key = options.cache ? formatChartCacheKey(spec, options.idPrefix) : undefined;
  const cached = key ? await options.cache!.get(key) : undefined;
  if (cached !== undefined) return cached;
  const { drawChart } = await import('./draw.js');
  const svg = await drawChart(spec, options);
  if (key) await options.cache!.set(key, svg);
  return svg;
}

/**
 * Daily series as a line chart: the top 5 ports or regions (several series,
 * with a legend), or one series alone (no legend). Null values leave gaps.
 */
export async function renderDailyLines(
  series: readonly DailySeries[],
  text: ChartText,
  options: RenderOptions & { seriesKind: SeriesKind },
): Promise<RenderedChart> {
  const templates = await templatesOf(options);
  const template = series.length === 1 ? templates.dailyLine : templates.dailyLines;
  const alt = formatDailyLinesAlt(series, text);
  const spec = buildDailyLinesSpec(series, text, template, {
    seriesKind: options.seriesKind,
    description: alt,
  });
  return {
    svg: await renderChart(spec, { idPrefix: options.idPrefix, name: template.file, cache: options.cache }),
    alt,
    spec,
  };
}

/** Share of a port's packets by region, as horizontal bars with percentages. `subject` names the port in the text alternative. */
export async function renderShareBars(
  items: readonly ShareItem[],
  text: ChartText,
  options: RenderOptions & { subject: string },
): Promise<RenderedChart> {
  const template = (await templatesOf(options)).shareBars;
  const alt = formatShareBarsAlt(items, text, options.subject);
  const spec = buildShareBarsSpec(items, text, template, { description: alt });
  return {
    svg: await renderChart(spec, { idPrefix: options.idPrefix, name: template.file, cache: options.cache }),
    alt,
    spec,
  };
}

/** Share of a port's distinct sources by region, this quarter vs the previous one, as grouped horizontal bars. */
export async function renderShareCompare(
  items: readonly ShareCompareItem[],
  text: ChartText,
  options: RenderOptions & { subject: string },
): Promise<RenderedChart> {
  const template = (await templatesOf(options)).shareCompare;
  const alt = formatShareCompareAlt(items, text, options.subject);
  const spec = buildShareCompareSpec(items, text, template, { description: alt });
  return {
    svg: await renderChart(spec, { idPrefix: options.idPrefix, name: template.file, cache: options.cache }),
    alt,
    spec,
  };
}

/** Domestic vs overseas sensors: monthly mean packets per sensor per day, as grouped bars. */
export async function renderMonthlyCompare(
  months: readonly MonthlyItem[],
  text: ChartText,
  options: RenderOptions = {},
): Promise<RenderedChart> {
  const template = (await templatesOf(options)).monthlyCompare;
  const alt = formatMonthlyCompareAlt(months, text);
  const spec = buildMonthlyCompareSpec(months, text, template, { description: alt });
  return {
    svg: await renderChart(spec, { idPrefix: options.idPrefix, name: template.file, cache: options.cache }),
    alt,
    spec,
  };
}
