/**
 * Source addresses → address keys and region codes (see store.ts), each
 * distinct address text canonicalised and geolocated once per ingest.
 *
 * IPv6 addresses get keys from the store's `addresses6` dictionary: the
 * known ones are read at the start of an ingest and the new ones written
 * before it commits. IPv6 sources are few at a telescope, so the dictionary
 * stays small; IPv4 keys need no dictionary at all.
 */
import { isIPv4 } from 'node:net';
import { UBIGINT, VARCHAR } from '@duckdb/node-api';
import type { GeoResolver } from '../geo/geo.js';
import { NO_REGION } from '../geo/region-code.js';
import type { AddedAddresses } from './capture/addresses.js';
import { IPV6_KEY_BASE, parseRegionCode, queryRows, type Store } from '../store/store.js';
import { parseAddress } from './fields.js';

/** Key × REGION_SPAN + region code: both in one safe integer, so the cache holds numbers only. */
const REGION_SPAN = 1024;

/** A resolved source: `key * 1024 + region`, or -1 for a text that is no address. */
export type PackedSource = number;

export const unpackKey = (packed: PackedSource) => Math.floor(packed / REGION_SPAN);
export const unpackRegion = (packed: PackedSource) => packed % REGION_SPAN;

/** Address key of an IPv4 address in dotted-quad form. */
export function parseIPv4Key(text: string): number {
  let key = 0;
  let at = 0;
  for (let part = 0; part < 4; part++) {
    const dot = part < 3 ? text.indexOf('.', at) : text.length;
    key = key * 256 + Number(text.slice(at, dot));
    at = dot + 1;
  }
  return key;
}

/** Canonical address text of an address key (IPv6 keys need the dictionary). */
export function formatIPv4Key(key: number): string {
  return `${Math.floor(key / 16777216)}.${Math.floor(key / 65536) % 256}.${Math.floor(key / 256) % 256}.${key % 256}`;
}

/**
 * Texts the resolve cache holds before it starts again: it only saves a
 * parse and a lookup for a source seen again, and an ingest of a quarter's
 * logs can see tens of millions of distinct sources.
 */
const CACHE_LIMIT = 1_000_000;

export class SourceKeys {
  private readonly cache = new Map<string, PackedSource>();
  private readonly v6 = new Map<string, number>();
  private readonly added: [string, number][] = [];
  private nextV6 = IPV6_KEY_BASE;

  private constructor(
    /** Where regions come from; null when they are not needed. */
    readonly geo: GeoResolver | null,
    private readonly cacheLimit: number,
  ) {}

  /** Reads the IPv6 dictionary; `geo` null means regions are not needed (honeypot logs). */
  static async load(store: Store, geo: GeoResolver | null, options: { cacheLimit?: number } = {}): Promise<SourceKeys> {
    const keys = new SourceKeys(geo, options.cacheLimit ?? CACHE_LIMIT);
    const rows = await queryRows<{ id: number; address: string }>(store.connection, 'SELECT id, address FROM addresses6');
    for (const row of rows) {
      keys.v6.set(row.address, row.id);
      keys.nextV6 = Math.max(keys.nextV6, row.id + 1);
    }
    return keys;
  }

  /** Key and region of an address text, or -1 when it is not an address. */
  resolve(text: string): PackedSource {
    let packed = this.cache.get(text);
    if (packed === undefined) {
      packed = this.resolveNew(text);
      if (this.cache.size >= this.cacheLimit) this.cache.clear();
      this.cache.set(text, packed);
    }
    return packed;
  }

  /** Texts in the resolve cache (never more than its limit). */
  get cached(): number {
    return this.cache.size;
  }

  /**
   * `resolve` for a text the caller sees only once (each distinct text of a
   * CSV file, which DuckDB has already grouped): an address already in
   * canonical IPv4 form skips the parse and the cache, which would only
   * grow. Anything else takes `resolve`.
   */
  resolveDistinct(text: string): PackedSource {
    if (isIPv4(text)) return parseIPv4Key(text) * REGION_SPAN + this.region(text);
    return this.resolve(text);
  }

  /** Key and region of a canonical IPv4 address given as its key. */
  resolveIPv4Key(key: number): PackedSource {
    return key * REGION_SPAN + this.region(formatIPv4Key(key));
  }

  private region(address: string): number {
    return this.geo === null ? 0 : parseRegionCode(this.geo.lookup(address));
  }

  private resolveNew(text: string): PackedSource {
    const address = parseAddress(text);
    if (address === null) return -1;
    if (!address.includes(':')) return parseIPv4Key(address) * REGION_SPAN + this.region(address);
    let key = this.v6.get(address);
    if (key === undefined) {
      key = this.nextV6++;
      this.v6.set(address, key);
      this.added.push([address, key]);
    }
    return key * REGION_SPAN + this.region(address);
  }

  /** Writes the IPv6 addresses first seen in this ingest (inside its transaction). */
  async writeNew(store: Store): Promise<void> {
    if (this.added.length === 0) return;
    const appender = await store.connection.createAppender('addresses6');
    for (const [address, key] of this.added) {
      appender.appendValue(BigInt(key), UBIGINT);
      appender.appendValue(address, VARCHAR);
      appender.endRow();
    }
    appender.flushSync();
    appender.closeSync();
    this.added.length = 0;
  }
}

/**
 * The address key, as (low, high) 32-bit words, and the region of each
 * address of a capture's address table, by address index. Each address is
 * resolved once, the first time a packet uses it as its source (a capture's
 * destinations are not sources, and must not enter the IPv6 dictionary), so
 * that a packet's source is three typed-array reads. The capture thread may
 * have geolocated the IPv4 addresses already (see `add`).
 */
export class AddressKeyColumns {
  /** Region value of an address not resolved yet (no region code reaches it). */
  static readonly UNRESOLVED = NO_REGION;
  low = new Uint32Array(1024);
  high = new Uint32Array(1024);
  region = new Uint16Array(1024).fill(AddressKeyColumns.UNRESOLVED);
  /** How many addresses of the table are known. */
  private size = 0;
  /** The IPv6 addresses' texts, by index (IPv4 addresses are their key, in `low`). */
  private readonly v6Texts = new Map<number, string>();

  constructor(private readonly sources: SourceKeys) {}

  /**
   * Adds the next addresses of the table, in index order. An IPv4 address
   * is resolved at once when the capture thread gave its region (looked up
   * in the same database as `sources` uses); any other waits for `resolve`.
   */
  add(added: AddedAddresses, regions: Uint16Array | null): void {
    const size = added.from + added.count;
    if (size > this.low.length) this.grow(size);
    // Slots past the table's end are zero, so `high` is right for IPv4 keys as it stands.
    this.low.set(added.v4, added.from);
    if (regions) this.region.set(regions, added.from);
    for (const [index, text] of added.v6) {
      this.v6Texts.set(index, text);
      this.region[index] = AddressKeyColumns.UNRESOLVED;
    }
    this.size = size;
  }

  /** Resolves the address `index` as a source; returns its region. */
  resolve(index: number): number {
    if (index >= this.size) throw new Error(`the capture reader used address ${index} before sending it`);
    const text = this.v6Texts.get(index);
    const packed = text === undefined ? this.sources.resolveIPv4Key(this.low[index]!) : this.sources.resolve(text);
    // The capture reader writes only well-formed addresses.
    if (packed < 0) throw new Error(`the capture reader produced an address that cannot be read back: ${JSON.stringify(text)}`);
    const key = unpackKey(packed);
    this.low[index] = key % 0x1_0000_0000;
    this.high[index] = Math.floor(key / 0x1_0000_0000);
    return (this.region[index] = unpackRegion(packed));
  }

  private grow(size: number): void {
    const length = Math.max(size, this.low.length * 2);
    const low = new Uint32Array(length);
    const high = new Uint32Array(length);
    const region = new Uint16Array(length).fill(AddressKeyColumns.UNRESOLVED);
    low.set(this.low);
    high.set(this.high);
    region.set(this.region);
    this.low = low;
    this.high = high;
    this.region = region;
  }
}
