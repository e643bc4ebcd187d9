/**
 * Builds small pcap and pcapng files, and the frames inside them, for the
 * capture-reader tests. Everything is explicit bytes so that a test can also
 * build the malformed cases (bad lengths, cut-off records, wrong fields).
 */

/** Network-order bytes of an IPv4 dotted quad or any IPv6 text form. */
export function parseAddress(text: string): Uint8Array {
  if (!text.includes(':')) return Uint8Array.from(text.split('.').map(Number));
  const bytes = new Uint8Array(16);
  let head = text;
  let tail = '';
  const gap = text.indexOf('::');
  if (gap >= 0) {
    head = text.slice(0, gap);
    tail = text.slice(gap + 2);
  }
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number];
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(parseInt(piece, 16));
    }
    return out;
  };
  const front = groups(head);
  const back = groups(tail);
  const all = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 255;
  });
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** A TCP header (20 bytes, SYN) to `dstPort`. */
export function tcp(dstPort: number, srcPort = 40000): Uint8Array {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(srcPort, 0);
  b.writeUInt16BE(dstPort, 2);
  b[12] = 0x50;
  b[13] = 0x02;
  return Uint8Array.from(b);
}

/** A UDP header with `payloadBytes` of zero payload. */
export function udp(dstPort: number, payloadBytes = 0, srcPort = 40000): Uint8Array {
  const b = Buffer.alloc(8 + payloadBytes);
  b.writeUInt16BE(srcPort, 0);
  b.writeUInt16BE(dstPort, 2);
  b.writeUInt16BE(8 + payloadBytes, 4);
  return Uint8Array.from(b);
}

/** An ICMP or ICMPv6 header of the given type. */
export function icmp(type: number, code = 0): Uint8Array {
  return Uint8Array.from([type, code, 0, 0, 0, 0, 0, 0]);
}

export interface IPv4Options {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  /** In 8-byte units. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** Header length in 32-bit words, written as given (options are zero bytes). Default 5. */
  ihl?: number;
}

export function ipv4(o: IPv4Options): Uint8Array {
  const ihl = o.ihl ?? 5;
  const headerBytes = Math.max(ihl, 5) * 4;
  const b = Buffer.alloc(headerBytes);
  b[0] = 0x40 | (ihl & 15);
  b.writeUInt16BE(headerBytes + o.payload.length, 2);
  b.writeUInt16BE(((o.moreFragments ? 1 : 0) << 13) | (o.fragmentOffset ?? 0), 6);
  b[8] = 64;
  b[9] = o.protocol;
  b.set(parseAddress(o.src), 12);
  b.set(parseAddress(o.dst), 16);
  return concat(b, o.payload);
}

/** An IPv6 extension header: options-style (hop-by-hop 0, routing 43, destination 60) or fragment (44). */
export type IPv6Extension =
  { type: 0 | 43 | 60; bytes?: number } | { type: 44; offset: number; more?: boolean };

export interface IPv6Options {
  src: string;
  dst: string;
  /** The upper-layer protocol after all extension headers. */
  protocol: number;
  payload: Uint8Array;
  extensions?: IPv6Extension[];
}

export function ipv6(o: IPv6Options): Uint8Array {
  const extensions = o.extensions ?? [];
  const parts: Uint8Array[] = [];
  extensions.forEach((ext, i) => {
    const next = i + 1 < extensions.length ? extensions[i + 1]!.type : o.protocol;
    if (ext.type === 44) {
      const b = Buffer.alloc(8);
      b[0] = next;
      b.writeUInt16BE((ext.offset << 3) | (ext.more ? 1 : 0), 2);
      b.writeUInt32BE(0x1234, 4);
      parts.push(Uint8Array.from(b));
    } else {
      const bytes = ext.bytes ?? 8;
      const b = Buffer.alloc(bytes);
      b[0] = next;
      b[1] = bytes / 8 - 1;
      parts.push(Uint8Array.from(b));
    }
  });
  const payload = concat(...parts, o.payload);
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = extensions.length > 0 ? extensions[0]!.type : o.protocol;
  h[7] = 64;
  h.set(parseAddress(o.src), 8);
  h.set(parseAddress(o.dst), 24);
  return concat(h, payload);
}

/** An Ethernet frame; `tags` are the TPIDs of VLAN tags from the outside in (0x8100, 0x88a8). */
export function ethernet(payload: Uint8Array, etherType = 0x0800, tags: number[] = []): Uint8Array {
  const b = Buffer.alloc(12 + tags.length * 4 + 2);
  b.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2]);
  tags.forEach((tpid, i) => {
    b.writeUInt16BE(tpid, 12 + i * 4);
    b.writeUInt16BE(100 + i, 14 + i * 4);
  });
  b.writeUInt16BE(etherType, 12 + tags.length * 4);
  return concat(b, payload);
}

/** A Linux cooked (SLL, link type 113) frame. */
export function sll(payload: Uint8Array, protocol = 0x0800): Uint8Array {
  const b = Buffer.alloc(16);
  b.writeUInt16BE(0, 0); // to us
  b.writeUInt16BE(1, 2); // ARPHRD_ETHER
  b.writeUInt16BE(6, 4);
  b.set([0x02, 0, 0, 0, 0, 9], 6);
  b.writeUInt16BE(protocol, 14);
  return concat(b, payload);
}

/** A Linux cooked v2 (SLL2, link type 276) frame. */
export function sll2(payload: Uint8Array, protocol = 0x0800): Uint8Array {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(protocol, 0);
  b.writeUInt32BE(3, 4); // interface index
  b.writeUInt16BE(1, 8); // ARPHRD_ETHER
  b[10] = 0;
  b[11] = 6;
  b.set([0x02, 0, 0, 0, 0, 9], 12);
  return concat(b, payload);
}

/** A BSD loopback (link type 0) frame, address family in the writer's byte order. */
export function nullLoopback(payload: Uint8Array, family: number, littleEndian = true): Uint8Array {
  const b = Buffer.alloc(4);
  if (littleEndian) b.writeUInt32LE(family);
  else b.writeUInt32BE(family);
  return concat(b, payload);
}

/** A minimal ARP request frame body. */
export function arp(): Uint8Array {
  return new Uint8Array(28).fill(1);
}

export interface PcapRecord {
  sec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  frac: number;
  data: Uint8Array;
  /** Captured length to write in the header, when it should lie. */
  caplen?: number;
}

export interface PcapOptions {
  littleEndian?: boolean;
  nanoseconds?: boolean;
  linkType?: number;
  snaplen?: number;
  records: PcapRecord[];
}

export function buildPcap(o: PcapOptions): Buffer {
  const le = o.littleEndian ?? true;
  const u32 = (b: Buffer, v: number, at: number): void =>
    void (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
  const u16 = (b: Buffer, v: number, at: number): void =>
    void (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const header = Buffer.alloc(24);
  u32(header, o.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(header, 2, 4);
  u16(header, 4, 6);
  u32(header, o.snaplen ?? 262144, 16);
  u32(header, o.linkType ?? 1, 20);
  const parts: Buffer[] = [header];
  for (const r of o.records) {
    const h = Buffer.alloc(16);
    u32(h, r.sec, 0);
    u32(h, r.frac, 4);
    u32(h, r.caplen ?? r.data.length, 8);
    u32(h, r.data.length, 12);
    parts.push(h, Buffer.from(r.data));
  }
  return Buffer.concat(parts);
}

export type PcapngBlock =
  | { type: 'idb'; linkType: number; snaplen?: number; tsresol?: number; tsoffset?: number }
  | { type: 'epb'; iface: number; ts: bigint; data: Uint8Array; caplen?: number }
  | { type: 'pb'; iface: number; ts: bigint; data: Uint8Array }
  | { type: 'spb'; data: Uint8Array }
  /** Any other block, e.g. a name resolution (4) or interface statistics (5) block. */
  | { type: 'other'; code: number; body: Uint8Array };

export interface PcapngSection {
  littleEndian?: boolean;
  blocks: PcapngBlock[];
}

export function buildPcapng(sections: PcapngSection[]): Buffer {
  const parts: Buffer[] = [];
  for (const section of sections) {
    const le = section.littleEndian ?? true;
    const u32 = (b: Buffer, v: number, at: number): void =>
      void (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
    const u16 = (b: Buffer, v: number, at: number): void =>
      void (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
    const block = (code: number, body: Buffer): Buffer => {
      const padded = Buffer.alloc((body.length + 3) & ~3);
      body.copy(padded);
      const b = Buffer.alloc(12 + padded.length);
      u32(b, code, 0);
      u32(b, b.length, 4);
      padded.copy(b, 8);
      u32(b, b.length, b.length - 4);
      return b;
    };
    const shb = Buffer.alloc(16);
    u32(shb, 0x1a2b3c4d, 0);
    u16(shb, 1, 4);
    u16(shb, 0, 6);
    shb.fill(0xff, 8, 16); // section length unknown
    parts.push(block(0x0a0d0d0a, shb));
    const timestamp = (b: Buffer, ts: bigint, at: number): void => {
      u32(b, Number(ts >> 32n), at);
      u32(b, Number(ts & 0xffffffffn), at + 4);
    };
    for (const bl of section.blocks) {
      if (bl.type === 'idb') {
        const options: Buffer[] = [];
        const option = (code: number, value: Buffer): void => {
          const o = Buffer.alloc(4 + ((value.length + 3) & ~3));
          u16(o, code, 0);
          u16(o, value.length, 2);
          value.copy(o, 4);
          options.push(o);
        };
        if (bl.tsresol !== undefined) option(9, Buffer.from([bl.tsresol]));
        if (bl.tsoffset !== undefined) {
          const v = Buffer.alloc(8);
          if (le) v.writeBigInt64LE(BigInt(bl.tsoffset));
          else v.writeBigInt64BE(BigInt(bl.tsoffset));
          option(14, v);
        }
        if (options.length > 0) options.push(Buffer.alloc(4)); // opt_endofopt
        const body = Buffer.alloc(8);
        u16(body, bl.linkType, 0);
        u32(body, bl.snaplen ?? 0, 4);
        parts.push(block(1, Buffer.concat([body, ...options])));
      } else if (bl.type === 'epb' || bl.type === 'pb') {
        const body = Buffer.alloc(20);
        if (bl.type === 'epb') u32(body, bl.iface, 0);
        else u16(body, bl.iface, 0);
        timestamp(body, bl.ts, 4);
        u32(body, bl.type === 'epb' ? (bl.caplen ?? bl.data.length) : bl.data.length, 12);
        u32(body, bl.data.length, 16);
        parts.push(block(bl.type === 'epb' ? 6 : 2, Buffer.concat([body, Buffer.from(bl.data)])));
      } else if (bl.type === 'spb') {
        const body = Buffer.alloc(4);
        u32(body, bl.data.length, 0);
        parts.push(block(3, Buffer.concat([body, Buffer.from(bl.data)])));
      } else {
        parts.push(block(bl.code, Buffer.from(bl.body)));
      }
    }
  }
  return Buffer.concat(parts);
}
