/**
 * Row parsers for the text formats: canonical packet CSV and NDJSON,
 * Shadowserver's darknet event CSV, and honeypot logs (CSV or NDJSON). Each
 * turns one line into a record or a reason it was rejected.
 */
import type { ProtoCode } from './capture-types.js';
import { parseCsvHeader, parseCsvLine } from './csv.js';
import { parsePort, parseProto, parseTimestamp } from './fields.js';

/** One packet as a text format gives it, before sensor and address resolution. */
export interface PacketRow {
  ts: number;
  /** Sensor name, when the row names it. */
  sensor: string | null;
  /** Destination address text, when the row has it (to attribute the sensor). */
  dst: string | null;
  /** Source address text, not yet validated. */
  src: string;
  port: number;
  proto: ProtoCode;
  /** Packets the row stands for: 1, or a Shadowserver event's `count`. */
  count: number;
}

/** A line's outcome: a packet, a rejection reason (string), or null for a blank line. */
export type PacketRowResult = PacketRow | string | null;

export type PacketTextFormat = 'csv' | 'ndjson' | 'shadowserver';

export interface PacketRowParser {
  format: PacketTextFormat;
  /** Whether the first line is a header to skip. */
  hasHeader: boolean;
  parse(line: string): PacketRowResult;
}

const SHADOWSERVER_COLUMNS = ['timestamp', 'protocol', 'src_ip', 'dst_port'];
const CANONICAL_COLUMNS = ['ts', 'src_ip', 'dst_port', 'proto'];

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
}

function finishRow(tsText: string, sensor: string, dst: string, src: string, portText: string, protoText: string, assumeUtc: boolean, count = 1): PacketRowResult {
  const ts = parseTimestamp(tsText, assumeUtc);
  if (ts === null) return `bad timestamp ${JSON.stringify(tsText)}`;
  const proto = parseProto(protoText);
  if (proto === null) return `unknown protocol ${JSON.stringify(protoText)} (expected tcp, udp, icmp or icmpv6)`;
  const port = parsePort(portText);
  if (port === null) return `bad destination port ${JSON.stringify(portText)}`;
  if (src.trim() === '') return 'missing src_ip';
  return { ts, sensor: sensor.trim() || null, dst: dst.trim() || null, src, port, proto, count };
}

/** Largest `count` one Shadowserver event may claim; more is taken as a broken row, not a flood. */
export const MAX_EVENT_COUNT = 1_000_000;

/**
 * A Shadowserver event's `count`: how many packets the event aggregates.
 * Blank means one (the feed leaves it empty for single events).
 */
export function parseEventCount(text: string): number | null {
  const value = text.trim();
  if (value === '') return 1;
  if (!/^\d{1,7}$/.test(value)) return null;
  const count = Number(value);
  return count >= 1 && count <= MAX_EVENT_COUNT ? count : null;
}

/** One NDJSON line → its object; null for a blank line, the reason for anything else. */
function parseNdjsonRecord(line: string): Record<string, unknown> | string | null {
  if (line.trim() === '') return null;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return 'not a JSON object';
  }
  return record !== null && typeof record === 'object' && !Array.isArray(record) ? (record as Record<string, unknown>) : 'not a JSON object';
}

/**
 * A parser for a packet text file, chosen by its first line; a string when
 * the header is not one this program reads.
 */
export function parsePacketFormat(format: 'csv' | 'ndjson', firstLine: string): PacketRowParser | string {
  if (format === 'ndjson') {
    return {
      format: 'ndjson',
      hasHeader: false,
      parse(line) {
        const record = parseNdjsonRecord(line);
        if (record === null || typeof record === 'string') return record;
        return finishRow(text(record.ts), text(record.sensor), text(record.dst_ip), text(record.src_ip), text(record.dst_port), text(record.proto), false);
      },
    };
  }
  const header = parseCsvHeader(firstLine);
  if (!header) return 'the header row has broken quoting';
  const at = (name: string) => header.get(name) ?? -1;
  if (SHADOWSERVER_COLUMNS.every((c) => header.has(c))) {
    const [iTs, iProto, iSrc, iPort, iDst, iCount] = [at('timestamp'), at('protocol'), at('src_ip'), at('dst_port'), at('dst_ip'), at('count')];
    return {
      format: 'shadowserver',
      hasHeader: true,
      parse(line) {
        if (line.trim() === '') return null;
        const f = parseCsvLine(line);
        if (!f) return 'broken CSV quoting';
        if (f.length < header.size) return `expected ${header.size} fields, got ${f.length}`;
        const count = parseEventCount(f[iCount] ?? '');
        if (count === null) return `bad count ${JSON.stringify(f[iCount])} (expected a whole number of packets, 1 or more)`;
        return finishRow(f[iTs] ?? '', '', f[iDst] ?? '', f[iSrc] ?? '', f[iPort] ?? '', f[iProto] ?? '', true, count);
      },
    };
  }
  const missing = CANONICAL_COLUMNS.filter((c) => !header.has(c));
  if (missing.length > 0)
    return `the header row lacks ${missing.join(', ')} (expected ts,sensor,src_ip,dst_port,proto or Shadowserver's event format)`;
  const [iTs, iSensor, iSrc, iPort, iProto, iDst] = [at('ts'), at('sensor'), at('src_ip'), at('dst_port'), at('proto'), at('dst_ip')];
  const width = header.size;
  return {
    format: 'csv',
    hasHeader: true,
    parse(line) {
      if (line === '' || line === '\r') return null;
      const f = parseCsvLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      if (!f) return 'broken CSV quoting';
      if (f.length !== width) return `expected ${width} fields, got ${f.length}`;
      return finishRow(f[iTs]!, iSensor < 0 ? '' : f[iSensor]!, iDst < 0 ? '' : f[iDst]!, f[iSrc]!, f[iPort]!, f[iProto]!, false);
    },
  };
}

/** One honeypot access. */
export interface HoneypotRow {
  ts: number;
  src: string;
}

export interface HoneypotRowParser {
  hasHeader: boolean;
  parse(line: string): HoneypotRow | string | null;
}

/** A parser for a honeypot log: NDJSON or CSV with at least `ts` and `src_ip`. */
export function parseHoneypotFormat(format: 'csv' | 'ndjson', firstLine: string): HoneypotRowParser | string {
  const finish = (tsText: string, src: string): HoneypotRow | string => {
    const ts = parseTimestamp(tsText);
    if (ts === null) return `bad timestamp ${JSON.stringify(tsText)}`;
    if (src.trim() === '') return 'missing src_ip';
    return { ts, src };
  };
  if (format === 'ndjson') {
    return {
      hasHeader: false,
      parse(line) {
        const record = parseNdjsonRecord(line);
        if (record === null || typeof record === 'string') return record;
        return finish(text(record.ts ?? record.timestamp), text(record.src_ip));
      },
    };
  }
  const header = parseCsvHeader(firstLine);
  if (!header) return 'the header row has broken quoting';
  const iTs = header.get('ts') ?? header.get('timestamp');
  const iSrc = header.get('src_ip');
  if (iTs === undefined || iSrc === undefined) return 'the header row lacks ts or src_ip';
  return {
    hasHeader: true,
    parse(line) {
      if (line.trim() === '') return null;
      const f = parseCsvLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      if (!f) return 'broken CSV quoting';
      if (f.length !== header.size) return `expected ${header.size} fields, got ${f.length}`;
      return finish(f[iTs]!, f[iSrc]!);
    },
  };
}
