/**
 * Text alternatives of the charts, generated from their data. The wording is
 * in locales/<lang>/charts.json (`alt.*`); numbers, dates and lists are
 * formatted by the report's formatter and passed in already formatted. The result is plain text:
 * the caller escapes it for HTML.
 */
import { joinSentences } from '../i18n/format.js';
import {
  translate,
  type ChartText,
  type DailySeries,
  type MonthlyItem,
  type ShareCompareItem,
  type ShareItem,
} from './spec.js';

/** First, last and peak of the non-null values of a series; undefined when it has none. */
export function summariseSeries(
  series: DailySeries,
): { first: number; last: number; peak: number; peakDate: string } | undefined {
  const defined = series.points.filter((p): p is typeof p & { value: number } => p.value !== null);
  const first = defined[0];
  const last = defined[defined.length - 1];
  if (!first || !last) return undefined;
  // The earliest day wins a tie for the peak, so the sentence is stable.
  const peak = defined.reduce((best, p) => (p.value > best.value ? p : best), first);
  return { first: first.value, last: last.value, peak: peak.value, peakDate: peak.date };
}

/** "Line chart, <period>. <label> went from … (peak … on …). … Days with no value: n." */
export function formatDailyLinesAlt(series: readonly DailySeries[], text: ChartText): string {
  const { fmt } = text;
  const dates = [...new Set(series.flatMap((s) => s.points.map((p) => p.date)))].sort();
  const sentences = series.map((s) => {
    const summary = summariseSeries(s);
    if (!summary) return translate(text, 'alt.dailySeriesEmpty', { label: s.label });
    return translate(text, 'alt.dailySeries', {
      label: s.label,
      first: fmt.value(summary.first),
      last: fmt.value(summary.last),
      peak: fmt.value(summary.peak),
      peakDate: fmt.shortDate(summary.peakDate),
    });
  });
  // A day is a gap when no series has a value: no sensor of the group was active.
  const valued = new Set(
    series.flatMap((s) => s.points.filter((p) => p.value !== null).map((p) => p.date)),
  );
  const gaps = dates.filter((d) => !valued.has(d)).length;
  if (gaps > 0) sentences.push(translate(text, 'alt.gaps', { count: fmt.value(gaps) }));
  const period = dates.length > 0 ? fmt.dateRange(dates[0]!, dates[dates.length - 1]!) : '';
  return translate(text, 'alt.dailyLines', {
    period,
    series: joinSentences(sentences),
  });
}

/** "Horizontal bar chart. Share of <subject> packets by region: 中国 88%, …." */
export function formatShareBarsAlt(
  items: readonly ShareItem[],
  text: ChartText,
  subject: string,
): string {
  const { fmt } = text;
  const list = items.map((item) =>
    translate(text, 'alt.shareItem', { label: item.label, share: fmt.percent(item.share) }),
  );
  return translate(text, 'alt.shareBars', { subject, items: fmt.list(list) });
}

/** "Horizontal bar chart. Share of <subject> source addresses by region, …: 中国 60% (previous quarter 45%), …." */
export function formatShareCompareAlt(
  items: readonly ShareCompareItem[],
  text: ChartText,
  subject: string,
): string {
  const { fmt } = text;
  const list = items.map((item) =>
    translate(text, 'alt.compareItem', {
      label: item.label,
      share: fmt.percent(item.share),
      previousShare:
        item.previousShare === null
          ? translate(text, 'alt.noValue')
          : fmt.percent(item.previousShare),
    }),
  );
  return translate(text, 'alt.shareCompare', { subject, items: fmt.list(list) });
}

/** "Bar chart. Monthly mean packets per sensor per day, …: October 2021: domestic 120, overseas 340, …." */
export function formatMonthlyCompareAlt(months: readonly MonthlyItem[], text: ChartText): string {
  const { fmt } = text;
  const value = (v: number | null) => (v === null ? translate(text, 'alt.noValue') : fmt.value(v));
  const list = months.map((m) =>
    translate(text, 'alt.monthItem', {
      month: fmt.month(m.month),
      domestic: value(m.domestic),
      overseas: value(m.overseas),
    }),
  );
  return translate(text, 'alt.monthlyCompare', { items: fmt.list(list) });
}
