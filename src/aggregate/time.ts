/**
 * Calendar arithmetic in the report's time zone: quarters, local dates, and
 * the UTC instants where local days begin.
 *
 * The store maps packets to local days through the quarter's day segments:
 * runs of days that are all 24 hours long, within which the day is plain
 * arithmetic on the UTC instant.
 */
import { ReportError } from '../errors.js';

/** A calendar quarter, e.g. 2021Q4. */
export interface Quarter {
  year: number;
  /** 1–4. */
  q: number;
}

const DAY_MS = 86_400_000;

export function parseQuarter(text: string): Quarter {
  const match = /^(\d{4})Q([1-4])$/.exec(text);
  if (!match) throw new ReportError('BAD_ARGUMENT', `Invalid quarter ${JSON.stringify(text)}: expected YYYYQn, e.g. 2021Q4.`);
  return { year: Number(match[1]), q: Number(match[2]) };
}

export function formatQuarter(quarter: Quarter): string {
  return `${quarter.year}Q${quarter.q}`;
}

export function previousQuarter(quarter: Quarter): Quarter {
  return quarter.q === 1 ? { year: quarter.year - 1, q: 4 } : { year: quarter.year, q: quarter.q - 1 };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** YYYY-MM-DD of a UTC calendar day given as epoch days. */
function formatEpochDay(epochDay: number): string {
  const d = new Date(epochDay * 86_400_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Every local date of the quarter, in order. */
export function formatQuarterDays(quarter: Quarter): string[] {
  const first = Date.UTC(quarter.year, (quarter.q - 1) * 3, 1) / 86_400_000;
  const next = Date.UTC(quarter.year, quarter.q * 3, 1) / 86_400_000;
  const days: string[] = [];
  for (let day = first; day < next; day++) days.push(formatEpochDay(day));
  return days;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch (cause) {
      throw new ReportError('BAD_ARGUMENT', `Unknown time zone ${JSON.stringify(timeZone)}.`, {
        cause,
        hint: 'Use an IANA time zone name such as Asia/Tokyo or UTC.',
      });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function localParts(utcMs: number, timeZone: string): number[] {
  const parts = formatterFor(timeZone).formatToParts(utcMs);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return [get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second')];
}

/** Offset of the zone from UTC at an instant, in milliseconds. */
export function formatZoneOffsetMs(utcMs: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = localParts(utcMs, timeZone) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(utcMs / 1000) * 1000;
}

/** Local date (YYYY-MM-DD) of an instant. */
export function formatLocalDate(utcMs: number, timeZone: string): string {
  const [y, mo, d] = localParts(utcMs, timeZone) as [number, number, number];
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
}

/** The UTC instant at which a local date begins. */
export function localMidnightUtcMs(date: string, timeZone: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const base = Date.UTC(y, mo - 1, d);
  let guess = base - formatZoneOffsetMs(base, timeZone);
  guess = base - formatZoneOffsetMs(guess, timeZone);
  return guess;
}

/** The quarter's span as UTC instants [start, end), and its local days. */
export interface QuarterSpan {
  quarter: string;
  timeZone: string;
  days: string[];
  startMs: number;
  endMs: number;
}

export function formatQuarterSpan(quarter: Quarter, timeZone: string): QuarterSpan {
  const days = formatQuarterDays(quarter);
  const next = formatQuarterDays(quarter.q === 4 ? { year: quarter.year + 1, q: 1 } : { year: quarter.year, q: quarter.q + 1 })[0]!;
  return {
    quarter: formatQuarter(quarter),
    timeZone,
    days,
    startMs: localMidnightUtcMs(days[0]!, timeZone),
    endMs: localMidnightUtcMs(next, timeZone),
  };
}

/**
 * A run of local days [startMs, endMs) beginning with day index `firstDay`.
 * When `regular`, the days are all 24 hours long and the instant `t` falls on
 * day `firstDay + floor((t - startMs) / 86400000)`; otherwise the segment is
 * the one day `firstDay`.
 */
export interface DaySegment {
  startMs: number;
  endMs: number;
  firstDay: number;
  regular: boolean;
}

/**
 * Cuts the span into day segments. A day that is not 24 hours long (a
 * daylight-saving change) is a segment of its own, so within every segment
 * the arithmetic is exact; a zone without such changes has one segment.
 */
export function formatDaySegments(span: QuarterSpan): DaySegment[] {
  const midnights = span.days.map((day) => localMidnightUtcMs(day, span.timeZone));
  midnights.push(span.endMs);
  const segments: DaySegment[] = [];
  for (let day = 0; day < span.days.length; day++) {
    const regular = midnights[day + 1]! - midnights[day]! === DAY_MS;
    const last = segments[segments.length - 1];
    if (regular && last && last.endMs === midnights[day] && last.regular) last.endMs = midnights[day + 1]!;
    else segments.push({ startMs: midnights[day]!, endMs: midnights[day + 1]!, firstDay: day, regular });
  }
  return segments;
}
