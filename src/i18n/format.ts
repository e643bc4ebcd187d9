/**
 * Formatting of numbers, dates, periods and labels for one language.
 * Numbers go through `Intl`; the patterns around them (period, date, ratio,
 * port label) come from the locale files, because `Intl` gives neither
 * `2021年10～12月` nor `October–December 2021`.
 */
import type { PreviousRank, Protocol } from '../stats/schema.js';
import type { Translator } from './locales.js';

export interface Formatter {
  lang: string;
  /** A count or value: `12,345`; `digits` fraction digits (default 0). */
  number(value: number, digits?: number): string;
  /** A measured value with at most one decimal: `1,234.5`, `745`. */
  value(value: number): string;
  /** A share between 0 and 1: `88%`, one decimal under 10%. */
  percent(share: number): string;
  /** A growth ratio to one decimal, as the locale writes it: `約1.8倍`, `about 1.8 times`. */
  ratio(ratio: number): string;
  /** A local date `2021-10-01` → `2021年10月1日` / `October 1, 2021`. */
  date(date: string): string;
  /** A date without its year → `10月1日` / `October 1`. */
  shortDate(date: string): string;
  /** A month `2021-10` → `2021年10月` / `October 2021`. */
  month(month: string): string;
  /** A quarter's months → `2021年10～12月` / `October–December 2021`. */
  period(start: string, end: string): string;
  /** A span of days → `2021年10月1日～12月31日` / `October 1 – December 31, 2021`. */
  dateRange(start: string, end: string): string;
  /** A list → `A、B、C` / `A, B and C`. */
  list(items: readonly string[]): string;
  /** Region name: the locale's customary name, else the platform's (Intl.DisplayNames). */
  region(code: string): string;
  /**
   * Region name inside a sentence: the locale's `<code>_inText` form where it
   * has one (en `the United States`), else `region(code)`.
   */
  regionInText(code: string): string;
  /** `23/TCP`, `8/ICMP`, `128/ICMPv6`. */
  portKey(port: number, proto: Protocol): string;
  /** The port key with the IANA service name beside it, as the locale writes it. */
  portLabel(port: number, proto: Protocol, service: string | null): string;
  /** Previous rank cell: `2`, `圏外` / `Outside top 10`, `—`. */
  previousRank(rank: PreviousRank): string;
}

const PROTO_LABELS: Record<Protocol, string> = { tcp: 'TCP', udp: 'UDP', icmp: 'ICMP', icmpv6: 'ICMPv6' };

/** Splits `YYYY-MM-DD` without going through a Date, so no time zone can shift it. */
function parts(date: string): { year: number; month: number; day: number } {
  const [year, month, day] = date.split('-').map(Number);
  return { year: year ?? 0, month: month ?? 1, day: day ?? 1 };
}

export function createFormatter(tr: Translator): Formatter {
  const { lang, t } = tr;
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const numberFormat = (digits: number) => {
    let nf = numberFormats.get(digits);
    if (!nf) {
      nf = new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
      numberFormats.set(digits, nf);
    }
    return nf;
  };
  const percentFormat = (digits: number) =>
    new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });
  const valueFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const listFormat = new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' });
  const percentWhole = percentFormat(0);
  const percentOne = percentFormat(1);
  const monthName = new Intl.DateTimeFormat(lang, { month: 'long', timeZone: 'UTC' });
  const monthShort = new Intl.DateTimeFormat(lang, { month: 'short', timeZone: 'UTC' });
  const names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'code' });
  const monthNameOf = (month: number) => monthName.format(Date.UTC(2000, month - 1, 1));
  const monthShortOf = (month: number) => monthShort.format(Date.UTC(2000, month - 1, 1));

  const formatter: Formatter = {
    lang,
    number: (value, digits = 0) => numberFormat(digits).format(value),
    value: (value) => valueFormat.format(value),
    // Under 10% a whole percent hides real differences (4% vs 4.4%); above, a decimal is noise.
    percent: (share) => (share < 0.1 && share > 0 ? percentOne : percentWhole).format(share),
    ratio: (ratio) => t('format.ratio', { ratio: numberFormat(1).format(ratio) }),
    date: (date) => {
      const { year, month, day } = parts(date);
      return t('format.date', { year, month, day, monthName: monthNameOf(month) });
    },
    shortDate: (date) => {
      const { month, day } = parts(date);
      return t('format.shortDate', { month, day, monthName: monthNameOf(month), monthShort: monthShortOf(month) });
    },
    month: (value) => {
      const { year, month } = parts(`${value}-01`);
      return t('format.month', { year, month, monthName: monthNameOf(month) });
    },
    period: (start, end) => {
      const a = parts(start);
      const b = parts(end);
      const values = {
        year: a.year,
        startMonth: a.month,
        endMonth: b.month,
        startMonthName: monthNameOf(a.month),
        endMonthName: monthNameOf(b.month),
        endYear: b.year,
      };
      return a.year === b.year ? t('format.period', values) : t('format.periodAcrossYears', values);
    },
    dateRange: (start, end) => {
      const a = parts(start);
      const b = parts(end);
      const values = {
        year: a.year,
        endYear: b.year,
        startMonth: a.month,
        endMonth: b.month,
        startDay: a.day,
        endDay: b.day,
        startMonthName: monthNameOf(a.month),
        endMonthName: monthNameOf(b.month),
      };
      return a.year === b.year ? t('format.dateRange', values) : t('format.dateRangeAcrossYears', values);
    },
    list: (items) => listFormat.format(items),
    region: (code) => (tr.has(`regions:${code}`) ? t(`regions:${code}`) : (names.of(code) ?? code)),
    regionInText: (code) => (tr.has(`regions:${code}_inText`) ? t(`regions:${code}_inText`) : formatter.region(code)),
    portKey: (port, proto) => `${port}/${PROTO_LABELS[proto]}`,
    portLabel: (port, proto, service) => {
      const key = formatter.portKey(port, proto);
      return service ? t('format.portWithService', { key, service }) : key;
    },
    previousRank: (rank) => {
      if (rank === 'outside') return t('rank.outside');
      if (rank === 'unknown') return t('rank.unknown');
      return numberFormat(0).format(rank);
    },
  };
  return formatter;
}

/**
 * Joins sentences into one paragraph: a space after Latin punctuation, none
 * after full-width punctuation (。！？), as each script's typography wants.
 */
export function joinSentences(sentences: readonly string[]): string {
  let out = '';
  for (const sentence of sentences) {
    if (out === '' || /[。！？」）]$/.test(out)) out += sentence;
    else out += ` ${sentence}`;
  }
  return out;
}
