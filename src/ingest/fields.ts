/**
 * Field parsers shared by every text reader: timestamps, addresses, ports and
 * protocols. Each returns null (or a reason) instead of throwing, because a bad
 * field makes a rejected row, not a failed ingest.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { PROTO_CODES, type ProtoCode } from './capture-types.js';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^-?\d+(?:\.\d+)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * ISO-8601 with `Z` or an offset, or epoch seconds (integer or fractional) →
 * epoch milliseconds. A timestamp without a zone is refused unless
 * `assumeUtc` is set (Shadowserver writes UTC without saying so).
 */
export function parseTimestamp(text: string, assumeUtc = false): number | null {
  const value = text.trim();
  if (EPOCH.test(value)) {
    const ms = Number(value) * 1000;
    return Number.isFinite(ms) ? ms : null;
  }
  const m = ISO.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const zone = m[8];
  let offsetMin = 0;
  if (zone === undefined) {
    if (!assumeUtc) return null;
  } else if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (hours > 23 || minutes > 59) return null;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  return Date.UTC(year, month - 1, day, hour, minute, second) + fraction - offsetMin * 60_000;
}

const IPV4_MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * An IPv4 or IPv6 address in canonical text form (dotted quad; RFC 5952
 * lower-case, zero-compressed IPv6), or null when it is not an address.
 * An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is the IPv4 address it
 * carries: a dual-stack sensor sees IPv4 sources that way, and they must be
 * counted and geolocated as the same sources.
 */
export function parseAddress(text: string): string | null {
  const value = text.trim();
  if (isIPv4(value)) return value;
  if (!isIPv6(value) || value.includes('%')) return null;
  // The WHATWG URL serialiser produces the RFC 5952 form (longest zero run compressed, lower case).
  const canonical = new URL(`http://[${value}]`).hostname.slice(1, -1);
  const mapped = IPV4_MAPPED.exec(canonical);
  if (!mapped) return canonical;
  const high = parseInt(mapped[1]!, 16);
  const low = parseInt(mapped[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Destination port (or ICMP type) 0–65535, or null. */
export function parsePort(text: string): number | null {
  const value = text.trim();
  if (!/^\d{1,5}$/.test(value)) return null;
  const port = Number(value);
  return port <= 65535 ? port : null;
}

/** tcp, udp, icmp or icmpv6 in any case → its protocol code, or null. */
export function parseProto(text: string): ProtoCode | null {
  const key = text.trim().toLowerCase();
  return Object.hasOwn(PROTO_CODES, key) ? PROTO_CODES[key as keyof typeof PROTO_CODES] : null;
}

/** Protocol codes back to names, in code order. */
export const PROTO_NAMES = ['tcp', 'udp', 'icmp', 'icmpv6'] as const;
