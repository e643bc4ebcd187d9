/**
 * The report's charts: Vega-Lite templates (templates/charts/) filled with
 * data and localised text, rendered to static SVG with a text alternative.
 *
 * Call a `render*` function once per chart and language; each returns
 * `{ svg, alt, spec }`. The `build*Spec` functions are the pure part, for
 * tests and for callers that want the spec itself.
 */
export {
  renderChart,
  renderDailyLines,
  renderMonthlyCompare,
  renderShareBars,
  renderShareCompare,
} from './render.js';
export type { RenderedChart, RenderOptions } from './render.js';
export {
  buildDailyLinesSpec,
  buildMonthlyCompareSpec,
  buildShareBarsSpec,
  buildShareCompareSpec,
} from './spec.js';
export type {
  ChartText,
  DailySeries,
  MonthlyItem,
  SeriesKind,
  ShareCompareItem,
  ShareItem,
} from './spec.js';
export {
  formatDailyLinesAlt,
  formatMonthlyCompareAlt,
  formatShareBarsAlt,
  formatShareCompareAlt,
} from './alt.js';
export { loadChartTemplates, parseChartTemplate, CHART_TEMPLATE_FILES } from './templates.js';
export type { ChartKind, ChartTemplate, ChartTemplates } from './templates.js';
export { createTextMeasurer, installTextMeasurer } from './measure.js';
export type { TextMeasurer } from './measure.js';
export type { ChartLang } from './format.js';
