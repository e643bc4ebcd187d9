/**
 * The address table of one capture read: each distinct IPv4 or IPv6 address
 * gets a small integer index. An IPv4 address is kept as its 32-bit value,
 * its text built only when asked for (a capture may hold millions of
 * sources); an IPv6 address, rare at a telescope, as its text, built once.
 *
 * Lookups use open-addressing hash tables over typed arrays rather than a
 * `Map`: IPv4 keys above 2^30 are not small integers in V8, so a `Map` keyed by
 * them would allocate a heap number on every packet, and IPv6 keys would need a
 * string per packet. An IPv4 slot holds its key and index side by side, so a
 * lookup in a table larger than the CPU cache misses it once, not twice; and a
 * small direct-mapped cache answers destinations, which at a telescope are
 * the few sensor addresses, without touching the table at all. (Sources are
 * many and would only push the sensors out of it.)
 */
/** Entries of the IPv4 cache in front of the table (a power of two). */
const RECENT_V4 = 64;

/** Addresses of a table from some index on, as they cross to another thread. */
export interface AddedAddresses {
  /** The index of the first. */
  from: number;
  /** How many addresses. */
  count: number;
  /** The IPv4 value of each (network order, unsigned); meaningless where `v6` has the index. */
  v4: Uint32Array;
  /** The IPv6 ones: index in the table, and text. */
  v6: [number, string][];
}

export class AddressTable {
  /** Index → IPv4 value (as stored: signed); meaningless for an IPv6 index. */
  private v4ByIndex = new Int32Array(1024);
  /** The IPv6 addresses as [index, text], in index order. */
  private readonly v6ByIndex: [number, string][] = [];
  private readonly v6Texts = new Map<number, string>();
  private count = 0;

  /** Slot i: key at 2i, index + 1 at 2i + 1 (0 marks an empty slot). */
  private v4Slots: Int32Array;
  private v4Bits: number;
  private v4Size = 0;
  /** Recent destinations, direct-mapped by the address's low bits: key, and index + 1 (0: empty). */
  private readonly v4Recent = new Int32Array(2 * RECENT_V4);

  /** Four 32-bit words per slot. */
  private v6Keys: Int32Array;
  private v6Vals: Int32Array;
  private v6Bits: number;
  private v6Size = 0;

  constructor() {
    this.v4Bits = 12;
    this.v4Slots = new Int32Array(2 << this.v4Bits);
    this.v6Bits = 8;
    this.v6Keys = new Int32Array(4 << this.v6Bits);
    this.v6Vals = new Int32Array(1 << this.v6Bits);
  }

  /** How many addresses the table holds. */
  get size(): number {
    return this.count;
  }

  /** The text of the address `index`. */
  text(index: number): string {
    return this.v6Texts.get(index) ?? formatIPv4(this.v4ByIndex[index]! >>> 0);
  }

  /** The addresses from index `from` on. */
  since(from: number): AddedAddresses {
    const v4 = new Uint32Array(this.v4ByIndex.subarray(from, this.count));
    let first = this.v6ByIndex.length;
    while (first > 0 && this.v6ByIndex[first - 1]![0] >= from) first--;
    return { from, count: this.count - from, v4, v6: this.v6ByIndex.slice(first) };
  }

  /** Index of the IPv4 address in `bytes[at..at+4)`, network order. */
  internV4(bytes: Uint8Array, at: number): number {
    return this.lookupV4(readWord(bytes, at));
  }

  /** internV4 for a packet's destination, through the cache of recent destinations. */
  internV4Destination(bytes: Uint8Array, at: number): number {
    const key = readWord(bytes, at);
    const recent = this.v4Recent;
    const r = 2 * (key & (RECENT_V4 - 1));
    if (recent[r] === key && recent[r + 1] !== 0) return recent[r + 1]! - 1;
    const index = this.lookupV4(key);
    recent[r] = key;
    recent[r + 1] = index + 1;
    return index;
  }

  private lookupV4(key: number): number {
    const slots = this.v4Slots;
    const mask = (slots.length >> 1) - 1;
    let slot = Math.imul(key, 0x9e3779b1) >>> (32 - this.v4Bits);
    for (;;) {
      const v = slots[2 * slot + 1]!;
      if (v === 0) return this.addV4(key, slot);
      if (slots[2 * slot] === key) return v - 1;
      slot = (slot + 1) & mask;
    }
  }

  /** Gives the new IPv4 address `key` the next index, in the empty `slot`. */
  private addV4(key: number, slot: number): number {
    const index = this.next();
    this.v4ByIndex[index] = key;
    this.v4Slots[2 * slot] = key;
    this.v4Slots[2 * slot + 1] = index + 1;
    if (++this.v4Size * 4 > this.v4Slots.length) this.growV4();
    return index;
  }

  /** Index of the IPv6 address in `bytes[at..at+16)`. */
  internV6(bytes: Uint8Array, at: number): number {
    const w0 = readWord(bytes, at);
    const w1 = readWord(bytes, at + 4);
    const w2 = readWord(bytes, at + 8);
    const w3 = readWord(bytes, at + 12);
    const keys = this.v6Keys;
    const vals = this.v6Vals;
    const mask = vals.length - 1;
    let slot = hashV6(w0, w1, w2, w3) >>> (32 - this.v6Bits);
    for (;;) {
      const v = vals[slot]!;
      if (v === 0) break;
      const k = slot * 4;
      if (keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3)
        return v - 1;
      slot = (slot + 1) & mask;
    }
    const index = this.next();
    const text = formatIPv6(bytes, at);
    this.v6ByIndex.push([index, text]);
    this.v6Texts.set(index, text);
    const k = slot * 4;
    keys[k] = w0;
    keys[k + 1] = w1;
    keys[k + 2] = w2;
    keys[k + 3] = w3;
    vals[slot] = index + 1;
    if (++this.v6Size * 2 > vals.length) this.growV6();
    return index;
  }

  /** The next index, with room for it in v4ByIndex. */
  private next(): number {
    if (this.count === this.v4ByIndex.length) {
      const grown = new Int32Array(this.count * 2);
      grown.set(this.v4ByIndex);
      this.v4ByIndex = grown;
    }
    return this.count++;
  }

  private growV4(): void {
    const old = this.v4Slots;
    this.v4Bits++;
    const slots = new Int32Array(2 << this.v4Bits);
    const mask = (1 << this.v4Bits) - 1;
    for (let i = 0; i < old.length; i += 2) {
      const v = old[i + 1]!;
      if (v === 0) continue;
      const key = old[i]!;
      let slot = Math.imul(key, 0x9e3779b1) >>> (32 - this.v4Bits);
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = key;
      slots[2 * slot + 1] = v;
    }
    this.v4Slots = slots;
  }

  private growV6(): void {
    const oldKeys = this.v6Keys;
    const oldVals = this.v6Vals;
    this.v6Bits++;
    const keys = new Int32Array(4 << this.v6Bits);
    const vals = new Int32Array(1 << this.v6Bits);
    const mask = vals.length - 1;
    for (let i = 0; i < oldVals.length; i++) {
      const v = oldVals[i]!;
      if (v === 0) continue;
      const o = i * 4;
      const w0 = oldKeys[o]!;
      const w1 = oldKeys[o + 1]!;
      const w2 = oldKeys[o + 2]!;
      const w3 = oldKeys[o + 3]!;
      let slot = hashV6(w0, w1, w2, w3) >>> (32 - this.v6Bits);
      while (vals[slot] !== 0) slot = (slot + 1) & mask;
      const k = slot * 4;
      keys[k] = w0;
      keys[k + 1] = w1;
      keys[k + 2] = w2;
      keys[k + 3] = w3;
      vals[slot] = v;
    }
    this.v6Keys = keys;
    this.v6Vals = vals;
  }
}

function readWord(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

function hashV6(w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w0, 0x9e3779b1);
  h = Math.imul(h ^ w1, 0x85ebca6b);
  h = Math.imul(h ^ w2, 0xc2b2ae35);
  h = Math.imul(h ^ w3, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** Dotted-quad text of an IPv4 address given as an unsigned 32-bit value. */
export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/**
 * RFC 5952 text of the IPv6 address in `bytes[at..at+16)`: lower-case hex
 * without leading zeros, the longest run of two or more zero groups (the first
 * on a tie) written as `::`, and IPv4-mapped addresses as `::ffff:a.b.c.d`.
 */
export function formatIPv6(bytes: Uint8Array, at = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]!);
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${formatIPv4(readWord(bytes, at + 12) >>> 0)}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
