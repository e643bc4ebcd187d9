/**
 * Sentences that carry numbers, built from the statistics. Pure: the wording
 * comes from the locale files (`report:sentences.*`), the numbers from the
 * formatter, so each language gets its own grammar and number style.
 */
import type { TFunction } from 'i18next';
import type { FocusSection, RankedPort, RankedRegion } from '../stats/schema.js';
import type { Formatter } from '../i18n/format.js';

export interface SentenceContext {
  t: TFunction;
  fmt: Formatter;
}

/** How many entries the tables show. Ranks are computed down to 10. */
export const TABLE_SIZE = 5;
/** A growth ratio at or above this (or at or below its inverse) is worth a sentence. */
export const NOTABLE_GROWTH = 1.5;

/** Growth over the quarter as a sentence, or null when there is no ratio to claim. */
export function formatGrowthSentence(ctx: SentenceContext, subject: string, growth: number | null | undefined): string | null {
  if (growth === null || growth === undefined) return null;
  const ratio = ctx.fmt.ratio(growth);
  // Compare the printed value, so that "about 1.0 times" is never called a rise.
  const rounded = Math.round(growth * 10) / 10;
  if (rounded > 1) return ctx.t('sentences.growthUp', { subject, ratio });
  if (rounded < 1) return ctx.t('sentences.growthDown', { subject, ratio });
  return ctx.t('sentences.growthFlat', { subject, ratio });
}

/** Overview sentences on the ports: the top port, its growth, and other notable growth. */
export function formatPortSentences(ctx: SentenceContext, ports: readonly RankedPort[]): string[] {
  const top = ports[0];
  if (!top) return [ctx.t('sentences.noPorts')];
  const label = (p: RankedPort) => ctx.fmt.portLabel(p.port, p.proto, p.service);
  const sentences = [ctx.t('sentences.topPort', { port: label(top) })];
  const topGrowth = formatGrowthSentence(ctx, ctx.fmt.portKey(top.port, top.proto), top.growth);
  if (topGrowth) sentences.push(topGrowth);
  for (const p of ports.slice(1, TABLE_SIZE)) {
    if (p.growth == null) continue;
    if (p.growth >= NOTABLE_GROWTH || p.growth <= 1 / NOTABLE_GROWTH) {
      const s = formatGrowthSentence(ctx, ctx.fmt.portKey(p.port, p.proto), p.growth);
      if (s) sentences.push(s);
    }
  }
  return sentences;
}

type Ranked = Pick<RankedPort | RankedRegion, 'rank' | 'previousRank'>;


/**
 * Rank changes within the table: who overtook whom, and who entered.
 * `name` turns an entry into its label; `driver` optionally names what drove an entry in.
 */
export function formatRankChangeSentences<T extends Ranked>(
  ctx: SentenceContext,
  entries: readonly T[],
  name: (entry: T) => string,
  driver?: (entry: T) => string | null,
): string[] {
  const shown = entries.slice(0, TABLE_SIZE);
  if (shown.length === 0) return [];
  if (shown.every((e) => e.previousRank === 'unknown')) return [ctx.t('sentences.noPrevious')];
  const sentences: string[] = [];
  for (const entry of shown) {
    const prev = entry.previousRank;
    if (typeof prev !== 'number') continue;
    // Entries that were above this one last quarter and are below it now.
    const overtaken = shown.filter(
      (other) => other !== entry && typeof other.previousRank === 'number' && other.previousRank < prev && other.rank > entry.rank,
    );
    if (overtaken.length > 0)
      sentences.push(ctx.t('sentences.overtook', { subject: name(entry), others: ctx.fmt.list(overtaken.map(name)) }));
  }
  for (const entry of shown) {
    const prev = entry.previousRank;
    const entered = prev === 'outside' || (typeof prev === 'number' && prev > TABLE_SIZE);
    if (!entered) continue;
    const by = driver?.(entry);
    const values = { subject: name(entry), rank: ctx.fmt.number(entry.rank), count: TABLE_SIZE };
    sentences.push(by ? ctx.t('sentences.enteredDrivenBy', { ...values, driver: by }) : ctx.t('sentences.entered', values));
  }
  if (sentences.length === 0) sentences.push(ctx.t('sentences.noRankChange', { count: TABLE_SIZE }));
  return sentences;
}

/** The computed values a focus section offers to its sentences and to the analysts' commentary. */
export interface FocusValues {
  port: string;
  topRegion: string;
  /** The top region's share of the packets. */
  share: string;
  /** The top region's share of the distinct sources, this quarter and the previous one. */
  sourceShare: string;
  prevShare: string;
  growth: string;
  topRegionGrowth: string;
  sources: string;
  prevSources: string;
  overlapShare: string;
  honeypotSources: string;
  overlap: string;
  threshold: string;
  honeypot: string;
}

/** Formats a focus section's figures for the language (missing ones become "—"). */
export function formatFocusValues(ctx: SentenceContext, focus: FocusSection): FocusValues {
  const { fmt, t } = ctx;
  const dash = t('rank.unknown');
  const top = focus.regionShares[0];
  const topSource = top ? focus.sourceShares.find((s) => s.region === top.region) : undefined;
  return {
    port: fmt.portKey(focus.port, focus.proto),
    topRegion: top ? fmt.regionInText(top.region) : dash,
    share: top ? fmt.percent(top.share) : dash,
    sourceShare: topSource ? fmt.percent(topSource.share) : dash,
    prevShare: topSource?.previousShare != null ? fmt.percent(topSource.previousShare) : dash,
    growth: focus.growth != null ? fmt.ratio(focus.growth) : dash,
    topRegionGrowth: top?.growth != null ? fmt.ratio(top.growth) : dash,
    sources: fmt.number(focus.distinctSources.current),
    prevSources: focus.distinctSources.previous != null ? fmt.number(focus.distinctSources.previous) : dash,
    overlapShare: focus.honeypot?.share != null ? fmt.percent(focus.honeypot.share) : dash,
    honeypotSources: focus.honeypot ? fmt.number(focus.honeypot.sources) : dash,
    overlap: focus.honeypot ? fmt.number(focus.honeypot.overlap) : dash,
    threshold: focus.honeypot ? fmt.number(focus.honeypot.threshold) : dash,
    honeypot: focus.honeypot?.name ?? dash,
  };
}

/** The computed sentences of a focus section, in reading order, grouped in paragraphs. */
export function formatFocusSentences(ctx: SentenceContext, focus: FocusSection): string[][] {
  const { fmt, t } = ctx;
  const values = formatFocusValues(ctx, focus);
  const paragraphs: string[][] = [];

  const first: string[] = [];
  const growth = formatGrowthSentence(ctx, values.port, focus.growth);
  if (growth) first.push(growth);
  const [top, ...rest] = focus.regionShares;
  if (top) {
    const followers = rest.slice(0, 4).map((r) => fmt.regionInText(r.region));
    first.push(
      followers.length > 0
        ? t('sentences.focusShareFollowed', { port: values.port, region: values.topRegion, share: values.share, others: ctx.fmt.list(followers) })
        : t('sentences.focusShare', { port: values.port, region: values.topRegion, share: values.share }),
    );
  }
  if (first.length) paragraphs.push(first);

  const growthByRegion = focus.regionShares
    .slice(0, 2)
    .map((r) => formatGrowthSentence(ctx, t('sentences.fromRegion', { region: fmt.regionInText(r.region), port: values.port }), r.growth))
    .filter((s): s is string => s !== null);
  if (growthByRegion.length) paragraphs.push(growthByRegion);

  const sources: string[] = [];
  const topSource = focus.sourceShares[0];
  if (topSource) {
    sources.push(
      topSource.previousShare != null
        ? t('sentences.sourceShareCompared', {
            port: values.port,
            region: fmt.regionInText(topSource.region),
            share: fmt.percent(topSource.share),
            prevShare: fmt.percent(topSource.previousShare),
          })
        : t('sentences.sourceShare', { port: values.port, region: fmt.regionInText(topSource.region), share: fmt.percent(topSource.share) }),
    );
  }
  sources.push(
    focus.distinctSources.previous != null
      ? t('sentences.distinctSourcesCompared', { port: values.port, count: focus.distinctSources.current, sources: values.sources, prevSources: values.prevSources })
      : t('sentences.distinctSources', { port: values.port, count: focus.distinctSources.current, sources: values.sources }),
  );
  paragraphs.push(sources);

  if (focus.honeypot) {
    paragraphs.push([
      focus.honeypot.share != null
        ? t('sentences.honeypotOverlap', { ...values, count: focus.honeypot.sources })
        : t('sentences.honeypotEmpty', { ...values }),
    ]);
  }
  return paragraphs;
}
