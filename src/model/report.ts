/**
 * QuarterStats + one language → ReportModel: everything a template needs,
 * already worded and formatted. Tables and figures are numbered here, in
 * reading order. Pure apart from the chart renderer it is given.
 */
import type { TFunction } from 'i18next';
import type { Publication } from '../aggregate/config.js';
import { joinSentences, type Formatter } from '../i18n/format.js';
import type { Lang } from '../i18n/locales.js';
import type { DailyPoint, FocusSection, PreviousRank, QuarterStats, RankedPort, RankedRegion } from '../stats/schema.js';
import { renderCommentary } from './commentary.js';
import {
  formatFocusSentences,
  formatFocusValues,
  formatPortSentences,
  formatRankChangeSentences,
  TABLE_SIZE,
  type SentenceContext,
} from './sentences.js';

/** A chart as the page shows it: static SVG plus its text alternative. */
export interface RenderedChart {
  svg: string;
  alt: string;
}

export interface ChartSeries {
  label: string;
  points: readonly DailyPoint[];
}

/** Where a chart goes: `id` is unique on the page (it prefixes the ids inside the SVG). */
export interface ChartPlace {
  id: string;
}

/** Draws the report's charts for one language (see src/charts/). */
export interface ChartRenderer {
  dailyLines(series: readonly ChartSeries[], place: ChartPlace & { seriesKind: 'port' | 'region' }): Promise<RenderedChart>;
  shareBars(rows: ReadonlyArray<{ label: string; share: number }>, place: ChartPlace & { subject: string }): Promise<RenderedChart>;
  shareCompare(
    rows: ReadonlyArray<{ label: string; share: number; previousShare: number | null }>,
    place: ChartPlace & { subject: string },
  ): Promise<RenderedChart>;
  monthlyCompare(
    months: ReadonlyArray<{ month: string; domestic: number | null; overseas: number | null }>,
    place: ChartPlace,
  ): Promise<RenderedChart>;
}

export interface TableModel {
  id: string;
  label: string;
  caption: string;
  headers: string[];
  /** Which columns hold numbers (right-aligned). */
  numeric: boolean[];
  rows: string[][];
}

export interface FigureModel extends RenderedChart {
  id: string;
  label: string;
  caption: string;
}

/** Paragraphs of HTML produced by `renderCommentary` (escaped, small whitelist). */
export type HtmlParagraphs = string[];

export interface FocusModel {
  id: string;
  number: string;
  title: string;
  paragraphs: string[];
  commentary: HtmlParagraphs;
  figures: FigureModel[];
  tables: TableModel[];
}

export interface ReportModel {
  lang: Lang;
  documentTitle: string;
  title: string;
  subtitle: string;
  /** The publication date line, when the quarter's config gives one. */
  issued: string | null;
  generated: string;
  overview: {
    intro: string[];
    portsIntro: string;
    portTable: TableModel;
    portFigure: FigureModel;
    portSentences: string;
    portCommentary: HtmlParagraphs;
    regionsIntro: string;
    regionTable: TableModel;
    regionFigure: FigureModel;
    regionSentences: string;
    regionCommentary: HtmlParagraphs;
    notes: string[];
  };
  focus: FocusModel[];
  domesticOverseas: { number: string; intro: string; table: TableModel; figure: FigureModel } | null;
  references: Array<{ number: number; text: string; url?: string }>;
  colophon: string[];
  /** Phrases that running text keeps on one line where they occur: the table and figure labels ("表2", "Figure 3"). */
  keepTogether: string[];
}

export interface ModelContext extends SentenceContext {
  lang: Lang;
  t: TFunction;
  fmt: Formatter;
  charts: ChartRenderer;
  /** Whether a key exists (used for optional commentary). */
  has: (key: string) => boolean;
  /** Publication details from the quarter's config. */
  publication?: Publication;
}

/** Hands out table and figure numbers in reading order. */
class Numbering {
  private tables = 0;
  private figures = 0;
  /** Every label handed out. */
  readonly labels: string[] = [];
  constructor(private readonly ctx: ModelContext) {}
  table(id: string, caption: string, headers: string[], numeric: boolean[], rows: string[][]): TableModel {
    const number = ++this.tables;
    const label = this.ctx.t('format.tableLabel', { number });
    this.labels.push(label);
    return { id: `table-${number}-${id}`, label, caption, headers, numeric, rows };
  }
  nextTable(): number {
    return this.tables + 1;
  }
  nextFigure(): number {
    return this.figures + 1;
  }
  async figure(id: string, caption: string, draw: (place: ChartPlace) => Promise<RenderedChart>): Promise<FigureModel> {
    const number = ++this.figures;
    const figureId = `figure-${number}-${id}`;
    // Drawing a chart keeps the thread busy for a while; let waiting I/O (the browser
    // starting, another language printing) be answered between charts.
    await new Promise((resolve) => setImmediate(resolve));
    const { svg, alt } = await draw({ id: figureId });
    const label = this.ctx.t('format.figureLabel', { number });
    this.labels.push(label);
    return { id: figureId, label, caption, svg, alt };
  }
}

function rankedRows<T extends RankedPort | RankedRegion>(
  ctx: ModelContext,
  entries: readonly T[],
  name: (entry: T) => string,
): string[][] {
  return entries
    .slice(0, TABLE_SIZE)
    .map((e) => [ctx.fmt.number(e.rank), name(e), ctx.fmt.number(e.value, 1), ctx.fmt.previousRank(e.previousRank)]);
}

function hasPrevious(ranks: readonly PreviousRank[], kind: PreviousRank): boolean {
  return ranks.some((r) => r === kind);
}

/** Optional analysts' commentary from the quarter's namespace. */
function commentary(ctx: ModelContext, key: string, values: Record<string, string> = {}): HtmlParagraphs {
  if (!ctx.has(key)) return [];
  return renderCommentary(ctx.t(key, values));
}

async function buildFocus(
  ctx: ModelContext,
  stats: QuarterStats,
  focus: FocusSection,
  index: number,
  numbering: Numbering,
): Promise<FocusModel> {
  const { t, fmt } = ctx;
  const ns = stats.quarter;
  const values = formatFocusValues(ctx, focus);
  const port = values.port;
  const portLabel = fmt.portLabel(focus.port, focus.proto, focus.service);
  const titleKey = `${ns}:focus.${focus.id}.title`;
  const title = ctx.has(titleKey) ? t(titleKey, { ...values }) : t('focus.defaultTitle', { port: portLabel });
  const figures: FigureModel[] = [];
  figures.push(await numbering.figure(focus.id, t('focus.dailyFigure', { port: portLabel }), (place) => ctx.charts.dailyLines([{ label: port, points: focus.daily }], { ...place, seriesKind: 'port' })));
  const [topSeries, ...otherSeries] = focus.regionSeries;
  if (topSeries) {
    const region = fmt.regionInText(topSeries.region);
    figures.push(
      await numbering.figure(
        `${focus.id}-top-region`,
        t('focus.topRegionFigure', { port, region }),
        (place) => ctx.charts.dailyLines([{ label: fmt.region(topSeries.region), points: topSeries.daily }], { ...place, seriesKind: 'region' }),
      ),
    );
    if (otherSeries.length > 0)
      figures.push(
        await numbering.figure(
          `${focus.id}-other-regions`,
          t('focus.otherRegionsFigure', { port, region }),
          (place) =>
            ctx.charts.dailyLines(
              otherSeries.map((s) => ({ label: fmt.region(s.region), points: s.daily })),
              { ...place, seriesKind: 'region' },
            ),
        ),
      );
  }
  if (focus.regionShares.length > 0)
    figures.push(
      await numbering.figure(
        `${focus.id}-shares`,
        t('focus.sharesFigure', { port }),
        (place) =>
          ctx.charts.shareBars(
            focus.regionShares.map((r) => ({ label: fmt.region(r.region), share: r.share })),
            { ...place, subject: port },
          ),
      ),
    );
  const tables: TableModel[] = [];
  if (focus.sourceShares.length > 0) {
    figures.push(
      await numbering.figure(
        `${focus.id}-sources`,
        t('focus.sourcesFigure', { port }),
        (place) =>
          ctx.charts.shareCompare(
            focus.sourceShares.map((s) => ({ label: fmt.region(s.region), share: s.share, previousShare: s.previousShare })),
            { ...place, subject: port },
          ),
      ),
    );
    tables.push(
      numbering.table(
        `${focus.id}-sources`,
        t('focus.sourcesTable', { port }),
        [t('table.region'), t('table.sources'), t('table.share'), t('table.previousShare')],
        [false, true, true, true],
        focus.sourceShares.map((s) => [
          fmt.region(s.region),
          fmt.number(s.sources),
          fmt.percent(s.share),
          s.previousShare == null ? t('rank.unknown') : fmt.percent(s.previousShare),
        ]),
      ),
    );
  }
  return {
    id: focus.id,
    number: `2.${index + 1}`,
    title,
    paragraphs: formatFocusSentences(ctx, focus).map(joinSentences),
    commentary: commentary(ctx, `${ns}:focus.${focus.id}.body`, { ...values }),
    figures,
    tables,
  };
}

/** Builds the whole report model for one language. */
export async function buildReportModel(stats: QuarterStats, ctx: ModelContext): Promise<ReportModel> {
  const { t, fmt } = ctx;
  const period = fmt.period(stats.period.start, stats.period.end);
  const numbering = new Numbering(ctx);
  const ns = stats.quarter;

  const portName = (p: RankedPort) => fmt.portLabel(p.port, p.proto, p.service);
  const regionName = (r: RankedRegion) => fmt.region(r.region);
  const top = <T extends { daily?: DailyPoint[] }>(entries: readonly T[], name: (e: T) => string): ChartSeries[] =>
    entries.slice(0, TABLE_SIZE).map((e) => ({ label: name(e), points: e.daily ?? [] }));

  const portsIntro = t('overview.portsIntro', { table: numbering.nextTable(), figure: numbering.nextFigure() });
  const portTable = numbering.table(
    'ports',
    t('overview.portsTable'),
    [t('table.rank'), t('table.port'), t('table.value'), t('table.previousRank')],
    [true, false, true, true],
    rankedRows(ctx, stats.ports, portName),
  );
  const portFigure = await numbering.figure(
    'ports',
    t('overview.portsFigure', { period }),
    (place) => ctx.charts.dailyLines(top(stats.ports, (p) => fmt.portKey(p.port, p.proto)), { ...place, seriesKind: 'port' }),
  );
  const regionsIntro = t('overview.regionsIntro', { table: numbering.nextTable(), figure: numbering.nextFigure() });
  const regionTable = numbering.table(
    'regions',
    t('overview.regionsTable'),
    [t('table.rank'), t('table.region'), t('table.value'), t('table.previousRank')],
    [true, false, true, true],
    rankedRows(ctx, stats.regions, regionName),
  );
  const regionFigure = await numbering.figure('regions', t('overview.regionsFigure', { period }), (place) =>
    ctx.charts.dailyLines(top(stats.regions, regionName), { ...place, seriesKind: 'region' }),
  );

  const shownRanks = [...stats.ports.slice(0, TABLE_SIZE), ...stats.regions.slice(0, TABLE_SIZE)].map((e) => e.previousRank);
  const notes = [t('notes.iana', { ref: 1 }), t('notes.growth', { days: stats.metric.growthWindowDays })];
  if (hasPrevious(shownRanks, 'outside')) notes.push(t('notes.outside'));
  if (hasPrevious(shownRanks, 'unknown')) notes.push(t('notes.previousUnknown'));
  if (stats.regions.slice(0, TABLE_SIZE).some((r) => r.region === 'ZZ')) notes.push(t('notes.unknownRegion'));
  for (const change of stats.group.sensorChanges)
    notes.push(t(change.kind === 'silent' ? 'notes.sensorSilent' : 'notes.sensorAppeared', { sensor: change.sensor, date: fmt.date(change.date) }));

  const focus: FocusModel[] = [];
  for (const [index, section] of stats.focus.entries()) focus.push(await buildFocus(ctx, stats, section, index, numbering));

  let domesticOverseas: ReportModel['domesticOverseas'] = null;
  if (stats.domesticOverseas) {
    const comparison = stats.domesticOverseas;
    const number = String(stats.focus.length > 0 ? 3 : 2);
    const intro = t('domesticOverseas.intro', {
      domestic: fmt.number(stats.group.sensorCount),
      overseas: fmt.number(comparison.overseasSensorCount),
      table: numbering.nextTable(),
      figure: numbering.nextFigure(),
    });
    const cell = (v: number | null) => (v === null ? t('rank.unknown') : fmt.number(v, 1));
    const table = numbering.table(
      'domestic-overseas',
      t('domesticOverseas.table'),
      [t('table.month'), t('table.domestic'), t('table.overseas')],
      [false, true, true],
      comparison.months.map((m) => [fmt.month(m.month), cell(m.domestic), cell(m.overseas)]),
    );
    const figure = await numbering.figure(
      'domestic-overseas',
      t('domesticOverseas.figure'),
      (place) => ctx.charts.monthlyCompare(comparison.months, place),
    );
    domesticOverseas = { number, intro, table, figure };
  }

  const previousPeriod = quarterPeriod(stats.previousQuarter.quarter);
  const references = [
    { number: 1, text: t('references.iana'), url: t('references.ianaUrl') },
    {
      number: 2,
      text: t('references.previous', { period: fmt.period(previousPeriod.start, previousPeriod.end) }),
      ...(ctx.publication?.previousReportUrl ? { url: ctx.publication.previousReportUrl } : {}),
    },
  ];

  const publisher = ctx.publication?.publisher;
  const colophon = [
    publisher ? t('colophon.publisherNamed', { publisher }) : t('colophon.publisher'),
    t('colophon.contact'),
    t('colophon.funding'),
  ];
  colophon.push(
    t('colophon.provenance', {
      geoip: stats.provenance.geoip.name,
      geoipDate: fmt.date(stats.provenance.geoip.date),
      services: stats.provenance.serviceNames.source,
    }),
  );
  if (stats.provenance.fixture) colophon.push(t('colophon.fixture'));

  return {
    lang: ctx.lang,
    documentTitle: t('meta.documentTitle', { period }),
    title: t('meta.title'),
    subtitle: t('meta.subtitle', { period }),
    issued: ctx.publication?.date ? t('meta.issued', { date: fmt.date(ctx.publication.date) }) : null,
    generated: t('meta.generated', { date: fmt.date(stats.provenance.generatedAt.slice(0, 10)) }),
    overview: {
      intro: [
        t('overview.intro', { count: stats.group.sensorCount, sensors: fmt.number(stats.group.sensorCount), period }),
        t('overview.metricIntro'),
      ],
      portsIntro,
      portTable,
      portFigure,
      portSentences: joinSentences([...formatPortSentences(ctx, stats.ports), ...formatRankChangeSentences(ctx, stats.ports, portName)]),
      portCommentary: commentary(ctx, `${ns}:overview.ports`),
      regionsIntro,
      regionTable,
      regionFigure,
      regionSentences: joinSentences(
        formatRankChangeSentences(ctx, stats.regions, (r) => fmt.regionInText(r.region), (r) =>
          r.mainPort ? fmt.portKey(r.mainPort.port, r.mainPort.proto) : null,
        ),
      ),
      regionCommentary: commentary(ctx, `${ns}:overview.regions`),
      notes,
    },
    focus,
    domesticOverseas,
    references,
    colophon,
    keepTogether: numbering.labels,
  };
}

/** First and last day of a quarter (`2021Q3` → 2021-07-01 … 2021-09-30). */
export function quarterPeriod(quarter: string): { start: string; end: string } {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(5));
  const startMonth = (q - 1) * 3 + 1;
  const endMonth = startMonth + 2;
  const lastDay = new Date(Date.UTC(year, endMonth, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return { start: `${year}-${pad(startMonth)}-01`, end: `${year}-${pad(endMonth)}-${pad(lastDay)}` };
}
