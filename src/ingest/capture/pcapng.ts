/**
 * The pcapng format: a sequence of blocks (type, total length, body, total
 * length). A Section Header Block sets the byte order for its section; each
 * Interface Description Block declares an interface with its own link type
 * and timestamp resolution; packets come in Enhanced, Simple or (obsolete)
 * Packet Blocks. Every other block is skipped.
 */
import type { StreamWindow } from './byte-source.js';
import { parseLinkType, type BatchColumns, type FrameDecoder } from './frame.js';
import type { CaptureTally, RecordParser } from './records.js';
import { MAX_CAPTURED_LENGTH } from './pcap.js';

export const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

const OPTION_END = 0;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;

/** Blocks above this size are taken as a sign of corruption rather than read into memory (libpcap uses the same bound). */
const MAX_BLOCK_BYTES = 16 << 20;

/** The byte order of a pcapng file's first section, from its byte-order magic; undefined if it is not valid. */
export function parsePcapngByteOrder(head: Uint8Array): 'little' | 'big' | undefined {
  if (head.length < 12) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint32(8, true);
  if (magic === BYTE_ORDER_MAGIC) return 'little';
  if (magic === BYTE_ORDER_MAGIC_SWAPPED) return 'big';
  return undefined;
}

export class PcapngParser implements RecordParser {
  private littleEndian = true;
  /** Per interface of the current section. */
  private linkTypes: number[] = [];
  private snaplens: number[] = [];
  /** Timestamp units per millisecond. */
  private unitsPerMs: number[] = [];
  private offsetsMs: number[] = [];
  /** Simple Packet Blocks carry no time: they take the one of the packet before. */
  private lastTsMs = Number.NaN;

  constructor(
    private readonly decoder: FrameDecoder,
    private readonly batch: BatchColumns,
    private readonly tally: CaptureTally,
  ) {}

  step(window: StreamWindow): number {
    const buf = window.buf;
    const view = window.view;
    const end = window.end;
    const batch = this.batch;
    const tally = this.tally;
    const capacity = batch.capacity;
    let pos = window.pos;
    let le = this.littleEndian;
    while (batch.count < capacity) {
      if (end - pos < 12) {
        window.pos = pos;
        return 12;
      }
      const type = view.getUint32(pos, le);
      if (type === BLOCK_SHB) {
        const magic = view.getUint32(pos + 8, true);
        if (magic === BYTE_ORDER_MAGIC) le = true;
        else if (magic === BYTE_ORDER_MAGIC_SWAPPED) le = false;
        else
          throw tally.corrupt(
            tally.frames + 1,
            window.base + pos,
            `section header with an invalid byte-order magic 0x${magic.toString(16).padStart(8, '0')}`,
          );
        this.littleEndian = le;
      }
      const length = view.getUint32(pos + 4, le);
      if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK_BYTES) {
        throw tally.corrupt(
          tally.frames + 1,
          window.base + pos,
          `block of type 0x${type.toString(16)} has an invalid length ${length}`,
        );
      }
      if (end - pos < length) {
        window.pos = pos;
        return length;
      }
      const trailer = view.getUint32(pos + length - 4, le);
      if (trailer !== length) {
        throw tally.corrupt(
          tally.frames + 1,
          window.base + pos,
          `block of type 0x${type.toString(16)} ends with length ${trailer}, not ${length}`,
        );
      }
      switch (type) {
        case BLOCK_EPB:
        case BLOCK_PB:
          this.readPacketBlock(buf, view, pos, length, type, window.base + pos);
          break;
        case BLOCK_SPB:
          this.readSimplePacketBlock(buf, view, pos, length, window.base + pos);
          break;
        case BLOCK_IDB:
          this.readInterface(view, pos, length, window.base + pos);
          break;
        case BLOCK_SHB:
          this.linkTypes = [];
          this.snaplens = [];
          this.unitsPerMs = [];
          this.offsetsMs = [];
          break;
        default:
          break;
      }
      pos += length;
    }
    window.pos = pos;
    return 0;
  }

  private readPacketBlock(
    buf: Uint8Array,
    view: DataView,
    pos: number,
    length: number,
    type: number,
    offset: number,
  ): void {
    const tally = this.tally;
    const packet = ++tally.frames;
    const le = this.littleEndian;
    const blockName = type === BLOCK_EPB ? 'enhanced packet block' : 'packet block';
    if (length < 32) {
      tally.reject(packet, offset, `${blockName} of ${length} bytes is too short for its fields`);
      return;
    }
    const iface = type === BLOCK_EPB ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
    const caplen = view.getUint32(pos + 20, le);
    if (iface >= this.linkTypes.length) {
      tally.reject(
        packet,
        offset,
        `${blockName} refers to interface ${iface}, but the section describes ${this.linkTypes.length}`,
      );
      return;
    }
    if (caplen > length - 32) {
      tally.reject(
        packet,
        offset,
        `captured length ${caplen} does not fit in the ${length}-byte ${blockName}`,
      );
      return;
    }
    const snaplen = this.snaplens[iface]!;
    if (snaplen !== 0 && caplen > snaplen) {
      tally.reject(
        packet,
        offset,
        `captured length ${caplen} is larger than interface ${iface}'s snapshot length ${snaplen}`,
      );
      return;
    }
    const linkType = this.linkTypes[iface]!;
    const kind = parseLinkType(linkType);
    if (kind === undefined)
      throw tally.unknownLinkType(
        linkType,
        `interface ${iface} (used by packet ${packet} at byte ${offset})`,
      );
    const units = view.getUint32(pos + 12, le) * 4294967296 + view.getUint32(pos + 16, le);
    const tsMs = units / this.unitsPerMs[iface]! + this.offsetsMs[iface]!;
    this.lastTsMs = tsMs;
    const decoder = this.decoder;
    if (!decoder.decode(buf, pos + 28, caplen, kind, tsMs, packet))
      tally.reject(packet, offset, decoder.reason);
  }

  private readSimplePacketBlock(
    buf: Uint8Array,
    view: DataView,
    pos: number,
    length: number,
    offset: number,
  ): void {
    const tally = this.tally;
    const packet = ++tally.frames;
    if (length < 16) {
      tally.reject(
        packet,
        offset,
        `simple packet block of ${length} bytes is too short for its fields`,
      );
      return;
    }
    if (this.linkTypes.length === 0) {
      tally.reject(packet, offset, 'simple packet block before any interface description');
      return;
    }
    if (Number.isNaN(this.lastTsMs)) {
      tally.reject(
        packet,
        offset,
        'simple packet block carries no timestamp and no earlier packet gives one',
      );
      return;
    }
    const snaplen = this.snaplens[0]!;
    let caplen = Math.min(view.getUint32(pos + 8, this.littleEndian), length - 16);
    if (snaplen !== 0 && caplen > snaplen) caplen = snaplen;
    const linkType = this.linkTypes[0]!;
    const kind = parseLinkType(linkType);
    if (kind === undefined)
      throw this.tally.unknownLinkType(
        linkType,
        `interface 0 (used by packet ${packet} at byte ${offset})`,
      );
    const decoder = this.decoder;
    if (!decoder.decode(buf, pos + 12, caplen, kind, this.lastTsMs, packet))
      tally.reject(packet, offset, decoder.reason);
  }

  private readInterface(view: DataView, pos: number, length: number, offset: number): void {
    const le = this.littleEndian;
    if (length < 20) {
      throw this.tally.corrupt(
        this.tally.frames + 1,
        offset,
        `interface description block of ${length} bytes is too short`,
      );
    }
    const linkType = view.getUint16(pos + 8, le);
    const snaplen = view.getUint32(pos + 12, le);
    let unitsPerSecond = 1e6;
    let offsetSeconds = 0;
    const optionsEnd = pos + length - 4;
    let o = pos + 16;
    while (o + 4 <= optionsEnd) {
      const code = view.getUint16(o, le);
      const size = view.getUint16(o + 2, le);
      if (code === OPTION_END || o + 4 + size > optionsEnd) break;
      if (code === OPTION_IF_TSRESOL && size >= 1) {
        const resolution = view.getUint8(o + 4);
        // The top bit selects a power of two instead of a power of ten.
        unitsPerSecond = resolution & 0x80 ? 2 ** (resolution & 0x7f) : 10 ** resolution;
      } else if (OPTION_IF_TSOFFSET === code && size >= 8) {
        offsetSeconds = Number(view.getBigInt64(o + 4, le));
      }
      o += 4 + ((size + 3) & ~3);
    }
    this.linkTypes.push(linkType);
    // A snapshot length of 0 (or above the largest frame) means no limit.
    this.snaplens.push(snaplen < MAX_CAPTURED_LENGTH ? snaplen : 0);
    this.unitsPerMs.push(unitsPerSecond / 1000);
    this.offsetsMs.push(offsetSeconds * 1000);
  }
}
