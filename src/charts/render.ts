/**
 * Rendering: Vega-Lite spec → Vega spec → static SVG, with no browser and
 * no client-side JavaScript.
 *
 *   template + data + ChartText ──build*Spec──▶ Vega-Lite spec
 *        ──compile (vega-lite)──▶ Vega spec ──View, renderer 'none'──▶ SVG
 *
 * Text is measured with the shipped Noto Sans JP faces (see measure.ts), so
 * the layout Vega computes matches what the page's web fonts draw.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ReportError } from '../errors.js';
import { loadFontFaces } from '../fonts/faces.js';
import {
  formatDailyLinesAlt,
  formatMonthlyCompareAlt,
  formatShareBarsAlt,
  formatShareCompareAlt,
} from './alt.js';
import { createTextMeasurer, installedTextMeasurer, installTextMeasurer } from './measure.js';
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
}

let measurerReady: Promise<void> | undefined;

/** Installs the font-based text measurement in Vega once per process. */
function ensureTextMeasurer(): Promise<void> {
  measurerReady ??= loadFontFaces().then((faces) => {
    if (!installedTextMeasurer()) installTextMeasurer(createTextMeasurer(faces));
  });
  return measurerReady;
}

let defaultTemplates: Promise<ChartTemplates> | undefined;

function templatesOf(options: RenderOptions): Promise<ChartTemplates> {
  if (options.templates) return Promise.resolve(options.templates);
  defaultTemplates ??= loadChartTemplates();
  return defaultTemplates;
}

/** Rewrites `id="x"` and its references so that several inline SVGs on one page cannot collide. */
function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`);
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Marks the SVG as one image described by `description`, for screen readers and for the HTML report alike. */
function labelSvg(svg: string, description: string | undefined): string {
  if (!description) return svg;
  return svg.replace(/^<svg\b/, `<svg role="img" aria-label="${escapeXml(description)}"`);
}

/**
 * Renders any Vega-Lite spec to SVG with the report's text measurement.
 * The spec's `description` becomes the SVG's `aria-label` (with `role="img"`).
 * Vega-Lite errors and warnings become a CHART_SPEC_INVALID error, since a
 * warning (a dropped channel, an unknown property) means the chart is not the
 * one the template describes.
 */
export async function renderChart(
  spec: TopLevelSpec,
  options: { idPrefix?: string; name?: string } = {},
): Promise<string> {
  await ensureTextMeasurer();
  const problems: string[] = [];
  const logger = {
    level: () => logger,
    error: (...args: unknown[]) => (problems.push(args.map(String).join(' ')), logger),
    warn: (...args: unknown[]) => (problems.push(args.map(String).join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  };
  let vgSpec;
  try {
    vgSpec = compile(spec, { logger: logger as never }).spec;
  } catch (cause) {
    problems.push((cause as Error).message);
  }
  if (problems.length > 0 || !vgSpec)
    throw new ReportError(
      'CHART_SPEC_INVALID',
      `Vega-Lite could not compile the chart${options.name ? ` ${options.name}` : ''}:`,
      { details: problems },
    );
  const view = new View(parse(vgSpec), { renderer: 'none' });
  try {
    const svg = labelSvg(await view.toSVG(), spec.description);
    return options.idPrefix ? prefixIds(svg, options.idPrefix) : svg;
  } finally {
    view.finalize();
  }
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
    svg: await renderChart(spec, { idPrefix: options.idPrefix, name: template.file }),
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
    svg: await renderChart(spec, { idPrefix: options.idPrefix, name: template.file }),
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
    svg: await renderChart(spec, { idPrefix: options.idPrefix, name: template.file }),
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
    svg: await renderChart(spec, { idPrefix: options.idPrefix, name: template.file }),
    alt,
    spec,
  };
}
