/**
 * Number and date formatting for the charts, per language.
 *
 * Two worlds meet here: Vega formats axis labels with d3-format/d3-time-format
 * patterns under a locale definition (below), and the text alternative is
 * formatted with `Intl` for the same language. Patterns themselves (`%b%-d日`,
 * `%b %-d`) live in locales/<lang>/charts.json.
 */

/** The report's languages. */
export type ChartLang = 'ja' | 'en';

/** A d3-format number locale, as Vega's `locale.number` takes it. */
export interface NumberLocale {
  decimal: string;
  thousands: string;
  grouping: number[];
  currency: [string, string];
}

/** A d3-time-format locale, as Vega's `locale.time` takes it. */
export interface TimeLocale {
  dateTime: string;
  date: string;
  time: string;
  periods: [string, string];
  days: string[];
  shortDays: string[];
  months: string[];
  shortMonths: string[];
}

// The d3 definitions for ja-JP and en-US (d3-format and d3-time-format ship
// them as JSON); copied because those are not direct dependencies.
const NUMBER_LOCALES: Record<ChartLang, NumberLocale> = {
  ja: { decimal: '.', thousands: ',', grouping: [3], currency: ['', '円'] },
  en: { decimal: '.', thousands: ',', grouping: [3], currency: ['$', ''] },
};

const JA_MONTHS = Array.from({ length: 12 }, (_, i) => `${i + 1}月`);

const TIME_LOCALES: Record<ChartLang, TimeLocale> = {
  ja: {
    dateTime: '%x %a %X',
    date: '%Y/%m/%d',
    time: '%H:%M:%S',
    periods: ['AM', 'PM'],
    days: ['日曜日', '月曜日', '火曜日', '水曜日', '木曜日', '金曜日', '土曜日'],
    shortDays: ['日', '月', '火', '水', '木', '金', '土'],
    months: JA_MONTHS,
    shortMonths: JA_MONTHS,
  },
  en: {
    dateTime: '%x, %X',
    date: '%-m/%-d/%Y',
    time: '%-I:%M:%S %p',
    periods: ['AM', 'PM'],
    days: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
    shortDays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
    months: [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
    ],
    shortMonths: [
      'Jan',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
    ],
  },
};

/** Vega's `locale` for the language: number and time formatting of axis labels. */
export function formatVegaLocale(lang: ChartLang): { number: NumberLocale; time: TimeLocale } {
  return { number: NUMBER_LOCALES[lang], time: TIME_LOCALES[lang] };
}

/** The `Intl` formatters the text alternative uses; one set per language. */
export interface ChartFormatter {
  /** A value, at most one fraction digit: `1,234.5`. */
  value(value: number): string;
  /** A share between 0 and 1: whole percent, one decimal under 10%: `88%`, `4.2%`. */
  share(share: number): string;
  /** A local date `YYYY-MM-DD` → `12月20日` / `December 20`. */
  day(date: string): string;
  /** A span of local dates → `2021年10月1日～12月31日` / `October 1 – December 31, 2021`. */
  dateRange(start: string, end: string): string;
  /** A month `YYYY-MM` → `2021年10月` / `October 2021`. */
  month(month: string): string;
  /** A list → `A、B、C` / `A, B, and C`. */
  list(items: string[]): string;
}

/** `YYYY-MM-DD` as the instant of its UTC midnight: dates are formatted in UTC so no time zone can shift them. */
export function parseLocalDate(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

const formatters = new Map<ChartLang, ChartFormatter>();

export function createChartFormatter(lang: ChartLang): ChartFormatter {
  const cached = formatters.get(lang);
  if (cached) return cached;
  const value = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const whole = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat(lang, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const day = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', month: 'long', day: 'numeric' });
  const fullDate = new Intl.DateTimeFormat(lang, {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
  const month = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', year: 'numeric', month: 'long' });
  const list = new Intl.ListFormat(lang, { type: 'conjunction', style: 'long' });
  const formatter: ChartFormatter = {
    value: (v) => value.format(v),
    // Under 10% a whole percent hides real differences (4% vs 4.4%); above, it is noise.
    share: (s) => (s < 0.1 && s > 0 ? oneDecimal : whole).format(s),
    day: (d) => day.format(parseLocalDate(d)),
    dateRange: (a, b) => {
      const start = parseLocalDate(a);
      const end = parseLocalDate(b);
      if (lang !== 'ja') return fullDate.formatRange(start, end);
      // ICU's Japanese range pattern is all-numeric (2021/10/01～2021/12/31); prose wants 2021年10月1日～12月31日.
      const sameYear = start.getUTCFullYear() === end.getUTCFullYear();
      return `${fullDate.format(start)}～${(sameYear ? day : fullDate).format(end)}`;
    },
    month: (m) => month.format(parseLocalDate(`${m}-01`)),
    list: (items) => list.format(items),
  };
  formatters.set(lang, formatter);
  return formatter;
}
