/**
 * The report build, one quarter, every language and format:
 *
 *   1. statistics   QuarterStats from --stats FILE, the store, or the bundled demo
 *   2. locales      locales/<lang>/*.json → one translator per language
 *   3. model        statistics + translator → ReportModel (sentences, tables, charts as SVG)
 *   4. HTML         ReportModel → Handlebars templates → standalone page + its font subsets
 *   5. PDF          one browser, the languages printed concurrently (started during 3–4)
 *   6. write        every file to a temporary name, then renamed into place together
 *
 * Side effects (logging, clock, the browser, the demo pipeline) come in through
 * `BuildEffects`, so tests can run each step without a browser or a store.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDailyLines, renderMonthlyCompare, renderShareBars, renderShareCompare } from './charts/render.js';
import { ReportError } from './errors.js';
import { loadFontFaces, type FontFaceFile } from './fonts/faces.js';
import { createFormatter } from './i18n/format.js';
import { assertNoMissingKeys, createTranslator, loadLocaleResources, type Lang, type Translator } from './i18n/locales.js';
import { buildReportModel, type ChartRenderer } from './model/report.js';
import { writeOutputsAtomically, type OutputFile } from './output/write.js';
import type { Printer, PrinterOptions } from './print/printer.js';
import { FONT_DIR } from './render/fonts-css.js';
import { loadTemplates, renderReportHtml, type RenderedPage } from './render/html.js';
import { loadQuarterStats } from './stats/load.js';
import type { QuarterStats } from './stats/schema.js';

/** The repository (package) root: templates/, locales/ and assets/ live there. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

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
function createChartRenderer(tr: Translator): ChartRenderer {
  const text = { t: tr.t as (key: string, values?: Record<string, unknown>) => string, lang: tr.lang };
  return {
    dailyLines: (series, place) => renderDailyLines(series, text, { idPrefix: place.id, seriesKind: place.seriesKind }),
    shareBars: (rows, place) => renderShareBars(rows, text, { idPrefix: place.id, subject: place.subject }),
    shareCompare: (rows, place) => renderShareCompare(rows, text, { idPrefix: place.id, subject: place.subject }),
    monthlyCompare: (months, place) => renderMonthlyCompare(months, text, { idPrefix: place.id }),
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
}

/** Steps 2–4 for every language: locale files → model → HTML. Pure but for reading templates and locales. */
export async function renderPages(
  stats: QuarterStats,
  langs: readonly Lang[],
  rootDir: string,
  effects: Pick<BuildEffects, 'now'>,
): Promise<{ pages: LanguagePage[]; modelSeconds: number; templateSeconds: number }> {
  const [resources, templates, faces] = await Promise.all([
    loadLocaleResources(join(rootDir, 'locales'), langs),
    loadTemplates(join(rootDir, 'templates'), join(rootDir, 'assets')),
    loadFontFaces(),
  ]);
  let modelMs = 0;
  let templateMs = 0;
  const translators: Translator[] = [];
  const pages: LanguagePage[] = [];
  for (const lang of langs) {
    const tr = await createTranslator(lang, resources);
    translators.push(tr);
    const started = effects.now();
    const model = await buildReportModel(stats, {
      lang,
      t: tr.t,
      has: tr.has,
      fmt: createFormatter(tr),
      charts: createChartRenderer(tr),
    });
    const modelDone = effects.now();
    const page = renderReportHtml(model, templates, tr.t, faces);
    templateMs += effects.now() - modelDone;
    modelMs += modelDone - started;
    pages.push({ lang, page, title: model.documentTitle });
  }
  assertNoMissingKeys(translators);
  return { pages, modelSeconds: modelMs / 1000, templateSeconds: templateMs / 1000 };
}

function fontFiles(pages: readonly LanguagePage[]): FontFaceFile[] {
  const byName = new Map<string, FontFaceFile>();
  for (const { page } of pages) for (const face of page.fonts) byName.set(face.fileName, face);
  return [...byName.values()];
}

/** Builds the report. Nothing is written unless every output was produced. */
export async function buildReport(options: BuildOptions, effects: BuildEffects): Promise<BuildResult> {
  const rootDir = options.rootDir ?? PACKAGE_ROOT;
  const start = effects.now();
  const wantPdf = options.formats.includes('pdf');
  const wantHtml = options.formats.includes('html');

  // The browser starts first and in parallel: it takes longest, and needs nothing from the steps before printing.
  let printerStarted = 0;
  const printerPromise = wantPdf
    ? effects.openPrinter({ executablePath: options.browserPath, log: effects.log }).then((printer) => {
        printerStarted = effects.now();
        return printer;
      })
    : undefined;
  // Don't let a failing browser start surface as an unhandled rejection while other steps run.
  printerPromise?.catch(() => undefined);

  try {
    effects.log('[1/6] statistics');
    const stats = options.statsPath ? await loadQuarterStats(options.statsPath) : await effects.loadStats(options.quarter);
    if (options.quarter && options.quarter !== stats.quarter)
      throw new ReportError('QUARTER_MISMATCH', `--quarter ${options.quarter} was asked for, but the statistics are for ${stats.quarter}.`);
    warnAboutStats(stats, effects.warn);
    const statsDone = effects.now();

    effects.log(`[2/6] locales (${options.langs.join(', ')})`);
    effects.log('[3/6] sentences, tables and charts');
    const { pages, modelSeconds, templateSeconds } = await renderPages(stats, options.langs, rootDir, effects);
    effects.log('[4/6] HTML');

    const outputs: OutputFile[] = [];
    const fonts = fontFiles(pages);
    const fontData = new Map<string, Promise<Buffer>>();
    const readFont = (face: FontFaceFile) => {
      let data = fontData.get(face.fileName);
      if (!data) fontData.set(face.fileName, (data = readFile(face.path)));
      return data;
    };
    if (wantHtml) {
      for (const { lang, page } of pages) outputs.push({ path: formatOutputPath(options.outDir, stats.quarter, lang, 'html'), data: page.html });
      for (const face of fonts) outputs.push({ path: join(options.outDir, stats.quarter, FONT_DIR, face.fileName), data: await readFont(face) });
    }

    let browserStart = 0;
    let printing = 0;
    let browserVersion: string | undefined;
    if (printerPromise) {
      effects.log('[5/6] PDF');
      const waitStart = effects.now();
      const printer = await printerPromise;
      browserVersion = printer.browserVersion;
      browserStart = (printerStarted - start) / 1000;
      try {
        const printStart = Math.max(waitStart, printerStarted);
        const pdfs = await Promise.all(
          pages.map(({ lang, page, title }) =>
            printer.print({
              lang,
              title,
              html: page.html,
              files: new Map(
                page.fonts.map((face) => [`${FONT_DIR}/${face.fileName}`, { body: () => readFont(face), contentType: 'font/woff2' }]),
              ),
            }),
          ),
        );
        printing = (effects.now() - printStart) / 1000;
        pages.forEach(({ lang }, i) => outputs.push({ path: formatOutputPath(options.outDir, stats.quarter, lang, 'pdf'), data: pdfs[i]! }));
      } finally {
        await printer.close();
      }
    }

    effects.log(`[6/6] writing ${outputs.length} files to ${join(options.outDir, stats.quarter)}`);
    const writeStart = effects.now();
    await writeOutputsAtomically(outputs);
    const end = effects.now();
    return {
      quarter: stats.quarter,
      files: outputs.map((o) => o.path).filter((p) => !p.includes(`/${FONT_DIR}/`)),
      browserVersion,
      timings: {
        statistics: (statsDone - start) / 1000,
        modelAndCharts: modelSeconds,
        templating: templateSeconds,
        browserStart,
        printing,
        writing: (end - writeStart) / 1000,
        total: (end - start) / 1000,
      },
    };
  } catch (error) {
    // Close a browser that was started for nothing.
    if (printerPromise) await printerPromise.then((p) => p.close()).catch(() => undefined);
    throw error;
  }
}
