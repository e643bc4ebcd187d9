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
