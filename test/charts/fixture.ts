/**
 * Test fixtures for the charts: hand-made series (deterministic, not real
 * observations) and a ChartText over the shipped locale files.
 */
import { readFileSync } from 'node:fs';
import type { ChartText } from '../../src/charts/index.js';
import type { DailyPoint } from '../../src/stats/schema.js';
import { loadTranslator } from '../helpers/report-context.js';

export const LANGS = ['ja', 'en'] as const;

/** The shipped charts.json of a language. */
export function readChartsLocale(lang: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(new URL(`../../locales/${lang}/charts.json`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
}

/** The chart text of `lang` over the shipped locale files, as the report sets it up. */
export async function createChartText(lang: 'ja' | 'en'): Promise<ChartText> {
  const { tr, fmt } = await loadTranslator(lang);
  return { t: tr.t as ChartText['t'], lang, fmt };
}

/** The 92 days of 2021Q4. */
export function quarterDates(): string[] {
  const dates: string[] = [];
  for (let d = Date.UTC(2021, 9, 1); d < Date.UTC(2022, 0, 1); d += 86_400_000)
    dates.push(new Date(d).toISOString().slice(0, 10));
  return dates;
}

/**
 * A fixture series: a linear trend from `from` to `to` with a weekly ripple,
 * and null on the days listed in `gaps`.
 */
export function fixtureSeries(
  from: number,
  to: number,
  gaps: readonly string[] = [],
): DailyPoint[] {
  const dates = quarterDates();
  return dates.map((date, i) => {
    if (gaps.includes(date)) return { date, value: null, packets: 0, sensors: 0 };
    const value =
      Math.round((from + ((to - from) * i) / (dates.length - 1) + 15 * Math.sin(i)) * 100) / 100;
    return { date, value, packets: Math.round(value * 20), sensors: 20 };
  });
}
