/**
 * The classic pcap format: a 24-byte file header, then records of a 16-byte
 * header (seconds, fraction, captured length, original length) and the frame.
 */
import type { StreamWindow } from './byte-source.js';
import { parseLinkType, type BatchColumns, type FrameDecoder, type LinkKind } from './frame.js';
import type { CaptureTally, RecordParser } from './records.js';

export const PCAP_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/**
 * The largest captured length accepted before the framing is judged broken;
 * libpcap and Wireshark use the same bound for the link types read here.
 */
export const MAX_CAPTURED_LENGTH = 262_144;

/** What the file header says. */
export interface PcapHeader {
  littleEndian: boolean;
  /** True for the nanosecond variant (magic a1b23c4d). */
  nanoseconds: boolean;
  snaplen: number;
  linkType: number;
  kind: LinkKind;
}

/** Parses the 24-byte file header, whose magic the caller has already recognised. */
export function parsePcapHeader(head: Uint8Array, tally: CaptureTally): PcapHeader {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magicLE = view.getUint32(0, true);
  const littleEndian = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
  const magic = view.getUint32(0, littleEndian);
  const snaplen = view.getUint32(16, littleEndian);
  // The top bits carry FCS information, not the link type (libpcap's LT_LINKTYPE).
  const linkType = view.getUint32(20, littleEndian) & 0x03ffffff;
  const kind = parseLinkType(linkType);
  if (kind === undefined) throw tally.unknownLinkType(linkType, 'the pcap file header');
  return { littleEndian, nanoseconds: magic === 0xa1b23c4d, snaplen, linkType, kind };
}

export class PcapParser implements RecordParser {
  private readonly fractionPerMs: number;
  /** Captured lengths above this are rejected; 0 when the header gives no usable snapshot length. */
  private readonly snaplen: number;

  constructor(
    private readonly header: PcapHeader,
    private readonly decoder: FrameDecoder,
    private readonly batch: BatchColumns,
    private readonly tally: CaptureTally,
  ) {
    this.fractionPerMs = header.nanoseconds ? 1e6 : 1e3;
    this.snaplen = header.snaplen > 0 && header.snaplen < MAX_CAPTURED_LENGTH ? header.snaplen : 0;
  }

  step(window: StreamWindow): number {
    const buf = window.buf;
    const view = window.view;
    const end = window.end;
    const le = this.header.littleEndian;
    const kind = this.header.kind;
    const perMs = this.fractionPerMs;
    const snaplen = this.snaplen;
    const decoder = this.decoder;
    const batch = this.batch;
    const tally = this.tally;
    const capacity = batch.capacity;
    let pos = window.pos;
    let frames = tally.frames;
    while (batch.count < capacity) {
      if (end - pos < RECORD_HEADER_BYTES) {
        tally.frames = frames;
        window.pos = pos;
        return RECORD_HEADER_BYTES;
      }
      const caplen = view.getUint32(pos + 8, le);
      if (caplen > MAX_CAPTURED_LENGTH) {
        tally.frames = frames;
        throw tally.corrupt(
          frames + 1,
          window.base + pos,
          `captured length ${caplen} is above the ${MAX_CAPTURED_LENGTH}-byte limit`,
        );
      }
      const size = RECORD_HEADER_BYTES + caplen;
      if (end - pos < size) {
        tally.frames = frames;
        window.pos = pos;
        return size;
      }
      frames++;
      const tsMs = view.getUint32(pos, le) * 1000 + view.getUint32(pos + 4, le) / perMs;
      if (snaplen !== 0 && caplen > snaplen) {
        tally.reject(
          frames,
          window.base + pos,
          `captured length ${caplen} is larger than the file's snapshot length ${snaplen}`,
        );
      } else if (!decoder.decode(buf, pos + RECORD_HEADER_BYTES, caplen, kind, tsMs, frames)) {
        tally.reject(frames, window.base + pos, decoder.reason);
      }
      pos += size;
    }
    tally.frames = frames;
    window.pos = pos;
    return 0;
  }
}
