/**
 * What the packet-capture readers (pcap, pcapng, plain or gzip) hand to the
 * ingest stage. Captures are read in columnar batches so that millions of
 * packets a second can be decoded and appended to the store without creating
 * an object per packet.
 */
import type { AddressTable } from './capture/addresses.js';

/** Protocol codes used in batches; the order is the report's tie-break order. */
export const PROTO_CODES = { tcp: 0, udp: 1, icmp: 2, icmpv6: 3 } as const;
export type ProtoCode = (typeof PROTO_CODES)[keyof typeof PROTO_CODES];

/**
 * Packets with a destination port (TCP, UDP) or ICMP/ICMPv6 type, in capture order.
 * Addresses are interned: `src[i]` and `dst[i]` index into the reader's address
 * table (`CaptureReader.addresses`), which only grows during one read.
 */
export interface CaptureBatch {
  /** Number of packets in this batch; the typed arrays may be longer. */
  count: number;
  /** Packet time, epoch milliseconds UTC (fractional for sub-millisecond precision). */
  tsMs: Float64Array;
  /** Index of the source address in the address table. */
  src: Uint32Array;
  /** Index of the destination address in the address table. */
  dst: Uint32Array;
  /** Sensor id of each packet, when the read attributes packets by destination (`sensorsByAddress`). */
  sensor: Uint16Array;
  /** Destination port, or the ICMP/ICMPv6 type. */
  port: Uint16Array;
  /** Protocol code, see PROTO_CODES. */
  proto: Uint8Array;
  /** 1-based packet number in the capture of the first packet in the batch. */
  firstPacketNumber: number;
}

/** Packets that carry no destination port: skipped, and counted by kind. */
export interface SkippedCounts {
  /** Non-first IP fragments (IPv4 offset > 0, IPv6 fragment header with offset > 0). */
  fragment: number;
  /** Frames that are not IP (ARP, LLDP, …). */
  nonIp: number;
  /** IP packets of other protocols (GRE, ESP, …). */
  otherProtocol: number;
}

/** A malformed packet or record: where it is and what is wrong. */
export interface CaptureProblem {
  /** 1-based packet (record) number in the capture. */
  packet: number;
  /** Byte offset of the record in the (decompressed) stream. */
  offset: number;
  reason: string;
}

/** Accepted packets by protocol. */
export interface ProtocolCounts {
  tcp: number;
  udp: number;
  icmp: number;
  icmpv6: number;
}

export interface CaptureSummary {
  format: 'pcap' | 'pcapng';
  /** Every frame read, accepted or not. */
  frames: number;
  /** Frames handed out in batches (with `sensorsByAddress`, those sent to a sensor's address). */
  accepted: number;
  skipped: SkippedCounts;
  /**
   * Frames that could not be decoded (rejected rows). To keep memory bounded,
   * only the first 10 000 are listed; `rejectedTotal` counts them all.
   */
  rejected: CaptureProblem[];
  /** Number of rejected frames, listed or not (the capture readers always set it). */
  rejectedTotal?: number;
  /** Accepted packets by protocol (the capture readers always set it). */
  protocols?: ProtocolCounts;
  /** Set when the last record is cut off: the complete records are kept. */
  truncated?: CaptureProblem;
}

export interface CaptureReadOptions {
  /** Packets per batch (default 65536). */
  batchSize?: number;
  /** Called with bytes consumed of the (compressed) file, for a progress bar. */
  onProgress?: (bytesRead: number) => void;
  /**
   * Attributes each packet to the sensor whose address (canonical text) is its
   * destination, in the batches' `sensor` column. A packet sent to any other
   * address is rejected, with its number and the address.
   */
  sensorsByAddress?: ReadonlyMap<string, number>;
}

/**
 * One capture being read. Implemented in src/ingest/capture.ts as
 * `openCapture(path, options): Promise<CaptureReader>`, which recognises pcap,
 * pcapng and their .gz forms by their magic numbers.
 */
export interface CaptureReader {
  readonly format: 'pcap' | 'pcapng';
  /** Address table: index → address (its text: IPv4 dotted quad, IPv6 in RFC 5952 form). */
  readonly addresses: AddressTable;
  /** Yields batches in capture order. A batch is only valid until the next one is requested. */
  batches(): AsyncIterable<CaptureBatch>;
  /** Counts for the whole capture; complete once `batches()` has been consumed. */
  summary(): CaptureSummary;
}
