/**
 * The report build, one quarter, every language and format:
 *
 *   1. statistics   QuarterStats from --stats FILE, the store, or the bundled demo
 *   2. locales      locales/<lang>/*.json → one translator per language
 *   3. model        statistics + translator → ReportModel (sentences, tables, charts as SVG,
 *                   each drawn once and then taken from the chart cache)
 *   4. HTML         ReportModel → Handlebars templates → standalone page + its font subsets
 *   5. PDF          one browser, the languages printed concurrently (started during 3–4)
 *   6. write        every file to a temporary name, then renamed into place together
 *
 * Side effects (logging, clock, the browser, the demo pipeline) come in through
 * `BuildEffects`, so tests can run each step without a browser or a store.
 */
import { join } from 'node:path';
import type { ChartCache } from './charts/cache.js';
import { renderDailyLines, renderMonthlyCompare, renderShareBars, renderShareCompare } from './charts/render.js';
import { ReportError } from './errors.js';
import { PACKAGE_ROOT } from './paths.js';
import { loadFontFaces } from './fonts/faces.js';
import { createFormatter, type Formatter } from './i18n/format.js';
import { assertNoMissingKeys, createTranslator, loadLocaleResources, type Lang, type Translator } from './i18n/locales.js';
import type { Publication } from './aggregate/config.js';
import { buildReportModel, type ChartRenderer } from './model/report.js';
import { writeOutputsAtomically, type OutputFile } from './output/write.js';
import type { Printer, PrinterOptions } from './print/printer.js';
import { loadTemplates, renderReportHtml, type RenderedPage } from './render/html.js';
import { loadQuarterStats } from './stats/load.js';
import type { QuarterStats } from './stats/schema.js';

export { PACKAGE_ROOT };

export type OutputFormat = 'pdf' | 'html';

export interface BuildOptions {
  /** The quarter to build; checked against the statistics when both are given. */
  quarter?: string;
  /** A statistics JSON file; without it the statistics come from `effects.loadStats`. */
  statsPath?: string;
  langs: readonly Lang[];
  formats: readonly OutputFormat[];
  /** Output root; files go to `<outDir>/<quarter>/tsubame-<quarter>.<lang>.<ext>`. */
  outDir: string;
  /** A Chrome/Chromium binary for printing. */
  browserPath?: string;
  /** Where templates/, locales/ and assets/ are (default: the package root). */
  rootDir?: string;
  /** Publication details from the quarter's config (title block, colophon, references). */
  publication?: Publication;
}

export interface BuildEffects {
  /** A progress line for each step. */
  log: (line: string) => void;
  /** A data anomaly worth the user's attention; never fatal. */
  warn: (line: string) => void;
  /** Produces the statistics when no --stats file is given (the store or the bundled demo). */
  loadStats: (quarter: string | undefined) => Promise<QuarterStats>;
  openPrinter: (options: PrinterOptions) => Promise<Printer>;
  /** Milliseconds, for the timing breakdown. */
  now: () => number;
  /** Charts drawn before; without it every chart is drawn. */
  chartCache?: ChartCache;
}

/** Seconds spent in each step; steps 3–4 overlap the browser start. */
export interface BuildTimings {
  statistics: number;
  modelAndCharts: number;
  templating: number;
  browserStart: number;
  printing: number;
  writing: number;
  total: number;
}

export interface BuildResult {
  quarter: string;
  files: string[];
  timings: BuildTimings;
  browserVersion?: string;
}

/** The file name of one output. */
export function formatOutputPath(outDir: string, quarter: string, lang: string, ext: OutputFormat): string {
  return join(outDir, quarter, `tsubame-${quarter}.${lang}.${ext}`);
}

/** Adapts the chart module to the model's ChartRenderer for one language. */
function createChartRenderer(tr: Translator, fmt: Formatter, cache: ChartCache | undefined): ChartRenderer {
  const text = { t: tr.t as (key: string, values?: Record<string, unknown>) => string, lang: tr.lang, fmt };
  return {
    dailyLines: (series, place) => renderDailyLines(series, text, { idPrefix: place.id, seriesKind: place.seriesKind, cache }),
    shareBars: (rows, place) => renderShareBars(rows, text, { idPrefix: place.id, subject: place.subject, cache }),
    shareCompare: (rows, place) => renderShareCompare(rows, text, { idPrefix: place.id, subject: place.subject, cache }),
    monthlyCompare: (months, place) => renderMonthlyCompare(months, text, { idPrefix: place.id, cache }),
  };
}

/** Warnings the statistics call for at build time. */
function warnAboutStats(stats: QuarterStats, warn: (line: string) => void): void {
  if (!stats.previousQuarter.available)
    warn(`no data for the previous quarter ${stats.previousQuarter.quarter}: previous ranks are shown as "—"`);
  for (const change of stats.group.sensorChanges)
    warn(`sensor ${change.sensor} ${change.kind === 'silent' ? 'went silent' : 'appeared'} on ${change.date}; the report notes it`);
  const gaps = (stats.focus[0]?.daily ?? stats.ports[0]?.daily ?? []).filter((p) => p.value === null);
  if (gaps.length > 0) warn(`${gaps.length} day(s) had no active sensor and are left out of the means`);
  if (stats.provenance.fixture) warn(`these statistics are a fixture: ${stats.provenance.fixture}`);
}

interface LanguagePage {
  lang: Lang;
  page: RenderedPage;
  title: string;
  translator: Translator;
}

/** Steps 2–4 for one language at a time; locales, templates and fonts are read once. */
export async function createPageRenderer(
  stats: QuarterStats,
  rootDir: string,
  langs: readonly Lang[],
  effects: Pick<BuildEffects, 'now'>,
  options: { markMissing?: boolean; publication?: Publication; chartCache?: ChartCache } = {},
): Promise<{ render: (lang: Lang) => Promise<LanguagePage>; timings: { model: number; templating: number } }> {
  const [resources, templates, faces] = await Promise.all([
    loadLocaleResources(join(rootDir, 'locales'), langs),
    loadTemplates(join(rootDir, 'templates'), join(rootDir, 'assets')),
    loadFontFaces(),
  ]);
  const timings = { model: 0, templating: 0 };
  return {
    timings,
    render: async (lang) => {
      const translator = await createTranslator(lang, resources, { markMissing: options.markMissing });
      const started = effects.now();
      const fmt = createFormatter(translator);
      const model = await buildReportModel(stats, {
        lang,
        t: translator.t,
        has: translator.has,
        fmt,
        charts: createChartRenderer(translator, fmt, options.chartCache),
        publication: options.publication,
      });
      const modelDone = effects.now();
      const page = await renderReportHtml(model, templates, translator.t, faces);
      timings.templating += (effects.now() - modelDone) / 1000;
      timings.model += (modelDone - started) / 1000;
      return { lang, page, title: model.documentTitle, translator };
    },
  };
}

/** Steps 2–4 for every language; fails listing every missing translation. */
export async function renderPages(
  stats: QuarterStats,
  langs: readonly Lang[],
  rootDir: string,
  effects: Pick<BuildEffects, 'now'>,
  options: { publication?: Publication; chartCache?: ChartCache } = {},
): Promise<LanguagePage[]> {
  const renderer = await createPageRenderer(stats, rootDir, langs, effects, options);
  const pages: LanguagePage[] = [];
  for (const lang of langs) pages.push(await renderer.render(lang));
  assertNoMissingKeys(pages.map((p) => p.translator));
  return pages;
}

/**
 * Builds the report. Each language is printed as soon as its page is ready,
 * while the next language's charts are drawn. Nothing is written unless every
 * output was produced.
 */
export async function buildReport(options: BuildOptions, effects: BuildEffects): Promise<BuildResult> {
  const rootDir = options.rootDir ?? PACKAGE_ROOT;
  const start = effects.now();
  const wantPdf = options.formats.includes('pdf');
  const wantHtml = options.formats.includes('html');

  // The browser starts first and in parallel: it takes longest, and needs nothing from the steps before printing.
  let printerReady = 0;
  const printerPromise = wantPdf
    ? effects.openPrinter({ executablePath: options.browserPath, log: effects.log }).then((printer) => {
        printerReady = effects.now();
        return printer;
      })
    : undefined;
  // A failing browser start is reported when the build first needs the browser, not as an unhandled rejection.
  printerPromise?.catch(() => undefined);

  let firstPrint = Infinity;
  let lastPrinted = 0;
  const print = async (page: LanguagePage): Promise<Buffer> => {
    const printer = await printerPromise!;
    firstPrint = Math.min(firstPrint, effects.now());
    const pdf = await printer.print({
      lang: page.lang,
      title: page.title,
      html: page.page.html,
      files: new Map(),
    });
    lastPrinted = Math.max(lastPrinted, effects.now());
    return pdf;
  };

  const printing: Array<Promise<Buffer>> = [];
  try {
    effects.log('[1/6] statistics');
    // Statistics aggregated now have been warned about by the aggregation; a file's are warned about here.
    const stats = options.statsPath ? await loadQuarterStats(options.statsPath) : await effects.loadStats(options.quarter);
    if (options.quarter && options.quarter !== stats.quarter)
      throw new ReportError('QUARTER_MISMATCH', `--quarter ${options.quarter} was asked for, but the statistics are for ${stats.quarter}.`);
    if (options.statsPath) warnAboutStats(stats, effects.warn);
    const statsDone = effects.now();

    effects.log(`[2/6] locales (${options.langs.join(', ')})`);
    const renderer = await createPageRenderer(stats, rootDir, options.langs, effects, {
      publication: options.publication,
      chartCache: effects.chartCache,
    });
    const pages: LanguagePage[] = [];
    for (const lang of options.langs) {
      effects.log(`[3/6] ${lang}: sentences, tables and charts`);
      effects.log(`[4/6] ${lang}: HTML`);
      const page = await renderer.render(lang);
      pages.push(page);
      // A page with missing keys is never printed; the keys of every language are listed below.
      if (wantPdf && page.translator.missing().length === 0) {
        effects.log(`[5/6] ${lang}: PDF`);
        const job = print(page);
        job.catch(() => undefined);
        printing.push(job);
      }
    }
    assertNoMissingKeys(pages.map((p) => p.translator));
    const pdfs = await Promise.all(printing);

    const outputs: OutputFile[] = [];
    if (wantHtml) {
      for (const { lang, page } of pages) outputs.push({ path: formatOutputPath(options.outDir, stats.quarter, lang, 'html'), data: page.html });
    }
    pdfs.forEach((pdf, i) => outputs.push({ path: formatOutputPath(options.outDir, stats.quarter, pages[i]!.lang, 'pdf'), data: pdf }));

    effects.log(`[6/6] writing ${outputs.length} files to ${join(options.outDir, stats.quarter)}`);
    const writeStart = effects.now();
    await writeOutputsAtomically(outputs);
    const end = effects.now();
    const printer = printerPromise ? await printerPromise : undefined;
    return {
      quarter: stats.quarter,
      files: outputs.map((o) => o.path),
      browserVersion: printer?.browserVersion,
      timings: {
        statistics: (statsDone - start) / 1000,
        modelAndCharts: renderer.timings.model,
        templating: renderer.timings.templating,
        browserStart: printer ? (printerReady - start) / 1000 : 0,
        printing: printer ? (lastPrinted - firstPrint) / 1000 : 0,
        writing: (end - writeStart) / 1000,
        total: (end - start) / 1000,
      },
    };
  } finally {
    await Promise.allSettled(printing);
    if (printerPromise) await printerPromise.then((p) => p.close()).catch(() => undefined);
  }
}
