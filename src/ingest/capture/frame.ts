/**
 * Decoding of one captured frame: link layer → IPv4/IPv6 → TCP/UDP/ICMP/ICMPv6,
 * straight into the columns of a batch. This is the per-packet hot path, so it
 * allocates nothing: it reads bytes from the shared read buffer, interns the
 * addresses, and builds a string only to describe a rejected frame.
 */
import { PROTO_CODES, type CaptureBatch } from '../capture-types.js';
import type { AddressTable } from './addresses.js';

/** How the frame's link-layer header is laid out; resolved once per interface. */
export const LINK_KIND = {
  ethernet: 1,
  /** IPv4 or IPv6, told apart by the version nibble. */
  raw: 2,
  rawIPv4: 3,
  rawIPv6: 4,
  linuxSll: 5,
  linuxSll2: 6,
  /** BSD loopback: 4-byte address family in the writer's byte order. */
  null: 7,
  /** OpenBSD loopback: 4-byte address family in network byte order. */
  loop: 8,
} as const;
export type LinkKind = (typeof LINK_KIND)[keyof typeof LINK_KIND];

/** Link types (LINKTYPE_* in pcap and pcapng headers) that can be read, and their names for messages. */
const LINK_TYPES: ReadonlyMap<number, { kind: LinkKind; name: string }> = new Map([
  [0, { kind: LINK_KIND.null, name: 'BSD loopback (NULL)' }],
  [1, { kind: LINK_KIND.ethernet, name: 'Ethernet' }],
  [12, { kind: LINK_KIND.raw, name: 'raw IP (DLT_RAW)' }],
  [14, { kind: LINK_KIND.raw, name: 'raw IP (DLT_RAW, OpenBSD)' }],
  [101, { kind: LINK_KIND.raw, name: 'raw IP' }],
  [108, { kind: LINK_KIND.loop, name: 'OpenBSD loopback (LOOP)' }],
  [113, { kind: LINK_KIND.linuxSll, name: 'Linux cooked (SLL)' }],
  [228, { kind: LINK_KIND.rawIPv4, name: 'raw IPv4' }],
  [229, { kind: LINK_KIND.rawIPv6, name: 'raw IPv6' }],
  [276, { kind: LINK_KIND.linuxSll2, name: 'Linux cooked v2 (SLL2)' }],
]);

/** The decoding for a LINKTYPE_* value, or undefined when it is not supported. */
export function parseLinkType(linkType: number): LinkKind | undefined {
  return LINK_TYPES.get(linkType)?.kind;
}

/** A one-line list of the supported link types, for error messages. */
export function formatSupportedLinkTypes(): string {
  return [...LINK_TYPES].map(([code, { name }]) => `${code} ${name}`).join(', ');
}

/** Bytes per packet of a batch's columns: ts 8, src 4, dst 4, sensor 2, port 2, proto 1. */
const BATCH_BYTES_PER_PACKET = 21;

/**
 * Columns of one batch, refilled in place. All columns live in one
 * ArrayBuffer, so a batch can be handed to another thread by transferring a
 * single buffer (see `buffer` and `adopt`).
 */
export class BatchColumns implements CaptureBatch {
  count = 0;
  firstPacketNumber = 0;
  tsMs!: Float64Array;
  src!: Uint32Array;
  dst!: Uint32Array;
  sensor!: Uint16Array;
  port!: Uint16Array;
  proto!: Uint8Array;
  readonly capacity: number;

  constructor(capacity: number, buffer?: ArrayBuffer) {
    this.capacity = capacity;
    this.adopt(buffer ?? new ArrayBuffer(BatchColumns.bytesFor(capacity)));
  }

  /** Size of the buffer that holds a batch of `capacity` packets. */
  static bytesFor(capacity: number): number {
    return capacity * BATCH_BYTES_PER_PACKET;
  }

  /** The buffer behind every column. */
  get buffer(): ArrayBuffer {
    return this.tsMs.buffer as ArrayBuffer;
  }

  /** Lays the columns over `buffer` (of `bytesFor(capacity)` bytes); the largest elements come first, so each view is aligned. */
  adopt(buffer: ArrayBuffer): void {
    const n = this.capacity;
    if (buffer.byteLength < BatchColumns.bytesFor(n))
      throw new Error(`batch buffer of ${buffer.byteLength} bytes is too small for ${n} packets`);
    this.tsMs = new Float64Array(buffer, 0, n);
    this.src = new Uint32Array(buffer, 8 * n, n);
    this.dst = new Uint32Array(buffer, 12 * n, n);
    this.sensor = new Uint16Array(buffer, 16 * n, n);
    this.port = new Uint16Array(buffer, 18 * n, n);
    this.proto = new Uint8Array(buffer, 20 * n, n);
  }
}

/**
 * The sensor of each destination address, for captures that do not name
 * their sensor: looked up once per address in the manifest's address map
 * and kept by address index.
 */
export class DestinationSensors {
  /** Sensor id by address index; -1: not a sensor's address; -2: not looked up yet. */
  byIndex = new Int32Array(1024).fill(-2);

  constructor(private readonly lookup: (address: string) => number | undefined) {}

  /** Looks up the address `index` of `table` (growing this one as needed) and returns its sensor id, or -1. */
  resolve(index: number, table: AddressTable): number {
    if (index >= this.byIndex.length) {
      const grown = new Int32Array(Math.max(this.byIndex.length * 2, index + 1)).fill(-2);
      grown.set(this.byIndex);
      this.byIndex = grown;
    }
    return (this.byIndex[index] = this.lookup(table.text(index)) ?? -1);
  }
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;

const IPPROTO_HOPOPTS = 0;
const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ROUTING = 43;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_AH = 51;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_DSTOPTS = 60;

/**
 * Decodes frames into a batch and keeps the per-kind counts. `decode` returns
 * false when the frame is malformed; `reason` then says why.
 */
export class FrameDecoder {
  tcp = 0;
  udp = 0;
  icmp = 0;
  icmpv6 = 0;
  fragment = 0;
  nonIp = 0;
  otherProtocol = 0;
  /** Why the last rejected frame was rejected. */
  reason = '';

  private readonly batch: BatchColumns;
  private readonly table: AddressTable;
  private readonly sensors: DestinationSensors | null;

  /** With `sensors`, each packet is attributed by its destination, and packets to other addresses are rejected. */
  constructor(batch: BatchColumns, table: AddressTable, sensors: DestinationSensors | null = null) {
    this.batch = batch;
    this.table = table;
    this.sensors = sensors;
  }

  /** Decodes the frame in `buf[off..off+len)`, numbered `packet` in the capture. */
  decode(
    buf: Uint8Array,
    off: number,
    len: number,
    kind: LinkKind,
    tsMs: number,
    packet: number,
  ): boolean {
    const end = off + len;
    let p = off;
    let etype: number;
    switch (kind) {
      case LINK_KIND.ethernet: {
        if (len < 14)
          return this.reject(`frame of ${len} bytes is shorter than an Ethernet header (14 bytes)`);
        etype = (buf[p + 12]! << 8) | buf[p + 13]!;
        p += 14;
        // 802.1Q, 802.1ad and the pre-standard 0x9100 QinQ tag, possibly stacked.
        while (etype === 0x8100 || etype === 0x88a8 || etype === 0x9100) {
          if (end - p < 4) return this.reject('VLAN tag cut off');
          etype = (buf[p + 2]! << 8) | buf[p + 3]!;
          p += 4;
        }
        break;
      }
      case LINK_KIND.raw: {
        if (len < 1) return this.reject('empty frame');
        const version = buf[p]! >> 4;
        if (version === 4) etype = ETHERTYPE_IPV4;
        else if (version === 6) etype = ETHERTYPE_IPV6;
        else return this.reject(`raw IP frame with IP version ${version}`);
        break;
      }
      case LINK_KIND.rawIPv4:
        etype = ETHERTYPE_IPV4;
        break;
      case LINK_KIND.rawIPv6:
        etype = ETHERTYPE_IPV6;
        break;
      case LINK_KIND.linuxSll:
        if (len < 16)
          return this.reject(
            `frame of ${len} bytes is shorter than a Linux cooked header (16 bytes)`,
          );
        etype = (buf[p + 14]! << 8) | buf[p + 15]!;
        p += 16;
        break;
      case LINK_KIND.linuxSll2:
        if (len < 20)
          return this.reject(
            `frame of ${len} bytes is shorter than a Linux cooked v2 header (20 bytes)`,
          );
        etype = (buf[p]! << 8) | buf[p + 1]!;
        p += 20;
        break;
      case LINK_KIND.null:
      case LINK_KIND.loop: {
        if (len < 4)
          return this.reject(`frame of ${len} bytes is shorter than a loopback header (4 bytes)`);
        let family =
          ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
        // NULL stores the family in the writer's byte order, which the file does not record.
        if (kind === LINK_KIND.null && family > 0xffff)
          family = (buf[p]! | (buf[p + 1]! << 8)) >>> 0;
        p += 4;
        if (family === 2) etype = ETHERTYPE_IPV4;
        else if (family === 10 || family === 24 || family === 28 || family === 30)
          etype = ETHERTYPE_IPV6;
        else etype = 0;
        break;
      }
      default:
        etype = 0;
    }
    if (etype === ETHERTYPE_IPV4) return this.decodeIPv4(buf, p, end, tsMs, packet);
    if (etype === ETHERTYPE_IPV6) return this.decodeIPv6(buf, p, end, tsMs, packet);
    this.nonIp++;
    return true;
  }

  private decodeIPv4(
    buf: Uint8Array,
    p: number,
    end: number,
    tsMs: number,
    packet: number,
  ): boolean {
    if (end - p < 20)
      return this.reject(`IPv4 header cut off: ${Math.max(end - p, 0)} of 20 bytes`);
    const vihl = buf[p]!;
    if (vihl >> 4 !== 4) return this.reject(`IP version ${vihl >> 4} in a packet marked as IPv4`);
    const headerLength = (vihl & 15) * 4;
    if (headerLength < 20)
      return this.reject(
        `bad IPv4 header length: IHL ${vihl & 15} (${headerLength} bytes), the minimum is 5 (20 bytes)`,
      );
    if (end - p < headerLength)
      return this.reject(
        `IPv4 header cut off: ${end - p} of ${headerLength} bytes (IHL ${vihl & 15})`,
      );
    const totalLength = (buf[p + 2]! << 8) | buf[p + 3]!;
    // A total length of 0 is what segmentation offload leaves in captures: trust the captured length then.
    if (totalLength !== 0) {
      if (totalLength < headerLength)
        return this.reject(
          `IPv4 total length ${totalLength} is smaller than its header (${headerLength} bytes)`,
        );
      // Ethernet pads short frames; the padding is not part of the packet.
      if (p + totalLength < end) end = p + totalLength;
    }
    if ((((buf[p + 6]! << 8) | buf[p + 7]!) & 0x1fff) !== 0) {
      this.fragment++;
      return true;
    }
    const protocol = buf[p + 9]!;
    const q = p + headerLength;
    let port: number;
    let code: number;
    if (protocol === IPPROTO_TCP || protocol === IPPROTO_UDP) {
      if (end - q < 4)
        return this.reject(
          `${protocol === IPPROTO_TCP ? 'TCP' : 'UDP'} header cut off before the destination port: ${end - q} bytes after the IPv4 header`,
        );
      port = (buf[q + 2]! << 8) | buf[q + 3]!;
      code = protocol === IPPROTO_TCP ? PROTO_CODES.tcp : PROTO_CODES.udp;
    } else if (protocol === IPPROTO_ICMP) {
      if (end - q < 1)
        return this.reject('ICMP header cut off before the type: no bytes after the IPv4 header');
      port = buf[q]!;
      code = PROTO_CODES.icmp;
    } else {
      this.otherProtocol++;
      return true;
    }
    const table = this.table;
    return this.accept(
      tsMs,
      table.internV4(buf, p + 12),
      table.internV4Destination(buf, p + 16),
      port,
      code,
      packet,
    );
  }

  private decodeIPv6(
    buf: Uint8Array,
    p: number,
    end: number,
    tsMs: number,
    packet: number,
  ): boolean {
    if (end - p < 40)
      return this.reject(`IPv6 header cut off: ${Math.max(end - p, 0)} of 40 bytes`);
    if (buf[p]! >> 4 !== 6)
      return this.reject(`IP version ${buf[p]! >> 4} in a packet marked as IPv6`);
    const payloadLength = (buf[p + 4]! << 8) | buf[p + 5]!;
    // 0 means a jumbogram (or offload): trust the captured length.
    if (payloadLength !== 0 && p + 40 + payloadLength < end) end = p + 40 + payloadLength;
    let next = buf[p + 6]!;
    let q = p + 40;
    for (;;) {
      if (next === IPPROTO_TCP || next === IPPROTO_UDP || next === IPPROTO_ICMPV6) break;
      if (next === IPPROTO_HOPOPTS || next === IPPROTO_ROUTING || next === IPPROTO_DSTOPTS) {
        if (end - q < 2) return this.reject(`IPv6 extension header ${next} cut off`);
        const length = (buf[q + 1]! + 1) * 8;
        next = buf[q]!;
        q += length;
      } else if (next === IPPROTO_FRAGMENT) {
        if (end - q < 4) return this.reject('IPv6 fragment header cut off');
        if (((buf[q + 2]! << 8) | buf[q + 3]!) >> 3 !== 0) {
          this.fragment++;
          return true;
        }
        next = buf[q]!;
        q += 8;
      } else if (next === IPPROTO_AH) {
        if (end - q < 2) return this.reject('IPv6 authentication header cut off');
        const length = (buf[q + 1]! + 2) * 4;
        next = buf[q]!;
        q += length;
      } else {
        this.otherProtocol++;
        return true;
      }
    }
    let port: number;
    let code: number;
    if (next === IPPROTO_ICMPV6) {
      if (end - q < 1) return this.reject('ICMPv6 header cut off before the type');
      port = buf[q]!;
      code = PROTO_CODES.icmpv6;
    } else {
      if (end - q < 4)
        return this.reject(
          `${next === IPPROTO_TCP ? 'TCP' : 'UDP'} header cut off before the destination port: ${Math.max(end - q, 0)} bytes after the IPv6 headers`,
        );
      port = (buf[q + 2]! << 8) | buf[q + 3]!;
      code = next === IPPROTO_TCP ? PROTO_CODES.tcp : PROTO_CODES.udp;
    }
    const table = this.table;
    return this.accept(
      tsMs,
      table.internV6(buf, p + 8),
      table.internV6(buf, p + 24),
      port,
      code,
      packet,
    );
  }

  private accept(
    tsMs: number,
    src: number,
    dst: number,
    port: number,
    code: number,
    packet: number,
  ): boolean {
    const batch = this.batch;
    const i = batch.count;
    const sensors = this.sensors;
    if (sensors !== null) {
      // Only the first packet to each address takes the slow path.
      const known = sensors.byIndex;
      let sensor = dst < known.length ? known[dst]! : -2;
      if (sensor === -2) sensor = sensors.resolve(dst, this.table);
      if (sensor < 0) return this.rejectDestination(dst);
      batch.sensor[i] = sensor;
    }
    if (i === 0) batch.firstPacketNumber = packet;
    batch.tsMs[i] = tsMs;
    batch.src[i] = src;
    batch.dst[i] = dst;
    batch.port[i] = port;
    batch.proto[i] = code;
    batch.count = i + 1;
    if (code === PROTO_CODES.tcp) this.tcp++;
    else if (code === PROTO_CODES.udp) this.udp++;
    else if (code === PROTO_CODES.icmp) this.icmp++;
    else this.icmpv6++;
    return true;
  }

  private rejectDestination(dst: number): false {
    return this.reject(
      `destination ${this.table.text(dst)} is no sensor's address in the manifest; give --sensor`,
    );
  }

  private reject(reason: string): false {
    this.reason = reason;
    return false;
  }
}
