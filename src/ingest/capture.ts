/**
 * Packet-capture readers: pcap (either byte order, µs or ns) and pcapng,
 * plain or gzip-compressed, recognised by their magic bytes. Frames are
 * decoded into reused columnar batches (see capture-types.ts), reading the
 * file in bounded chunks whatever its size.
 *
 *   file ─► byte source (plain or gunzip, 4 MiB chunks)
 *        ─► stream window ─► pcap / pcapng record parser
 *        ─► frame decoder (link → IP → TCP/UDP/ICMP) ─► batch columns
 */
import { ReportError } from '../errors.js';
import type {
  CaptureProblem,
  CaptureReadOptions,
  CaptureReader,
  CaptureSummary,
} from './capture-types.js';
import { AddressTable } from './capture/addresses.js';
import { openByteSource, StreamWindow } from './capture/byte-source.js';
import { parseAddress } from './fields.js';
import { BatchColumns, DestinationSensors, FrameDecoder } from './capture/frame.js';
import { BLOCK_SHB, PcapngParser, parsePcapngByteOrder } from './capture/pcapng.js';
import { PCAP_HEADER_BYTES, PcapParser, parsePcapHeader, type PcapHeader } from './capture/pcap.js';
import { CaptureTally, type RecordParser } from './capture/records.js';

const DEFAULT_BATCH_SIZE = 65_536;

const ACCEPTED_FORMATS =
  'pcap (magic a1 b2 c3 d4 or d4 c3 b2 a1; nanosecond a1 b2 3c 4d or 4d 3c b2 a1), pcapng (0a 0d 0d 0a), and either of them gzip-compressed (1f 8b)';

/** What the first bytes of a capture say about how to read it. */
type CaptureLayout = { format: 'pcap'; header: PcapHeader } | { format: 'pcapng' };

/**
 * Opens a capture and checks its header. Throws a ReportError
 * (`INPUT_INVALID`) when the file cannot be opened, is not a capture, or uses
 * a link type that cannot be decoded.
 */
export async function openCapture(
  path: string,
  options: CaptureReadOptions = {},
): Promise<CaptureReader> {
  return openCaptureColumns(path, options);
}

/** A capture reader whose batches are BatchColumns, for a reader that hands their buffers to another thread. */
export interface CaptureColumnsReader extends CaptureReader {
  /**
   * Yields the one batch object of this read. Its columns may be moved to a
   * new buffer (`BatchColumns.adopt`) before the next batch is requested.
   */
  batches(): AsyncIterable<BatchColumns>;
}

/** openCapture, with the batches' column buffers exposed. */
export async function openCaptureColumns(
  path: string,
  options: CaptureReadOptions = {},
): Promise<CaptureColumnsReader> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ReportError(
      'BAD_ARGUMENT',
      `batch size must be a positive integer, not ${batchSize}`,
    );
  }
  const tally = new CaptureTally(path);
  const { head, gzip } = await readCaptureHead(path);
  const layout = parseCaptureLayout(head, gzip, tally);
  return new CaptureFileReader(path, layout, batchSize, tally, options);
}

/** The first bytes of the (decompressed) capture: enough for any file header. */
async function readCaptureHead(path: string): Promise<{ head: Uint8Array; gzip: boolean }> {
  const { source, gzip } = await openByteSource(path);
  try {
    const window = new StreamWindow(source, 64);
    await window.fill(PCAP_HEADER_BYTES);
    return { head: window.buf.slice(0, window.end), gzip };
  } finally {
    await source.close();
  }
}

function parseCaptureLayout(head: Uint8Array, gzip: boolean, tally: CaptureTally): CaptureLayout {
  const path = tally.path;
  const what = gzip ? 'its decompressed content' : 'it';
  if (head.length === 0) {
    throw new ReportError('INPUT_INVALID', `${path}: not a packet capture: ${what} is empty`, {
      details: [`accepted formats: ${ACCEPTED_FORMATS}`],
      hint: 'Check that the file was written completely.',
    });
  }
  const magicBE =
    head.length >= 4
      ? ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0
      : -1;
  if (magicBE === BLOCK_SHB) {
    if (head.length < 12) throw cutHeader(path, 'pcapng section header');
    if (parsePcapngByteOrder(head) === undefined) {
      throw new ReportError(
        'INPUT_INVALID',
        `${path}: pcapng section header with an invalid byte-order magic (${formatBytes(head.subarray(8, 12))})`,
        {
          hint: 'The file is damaged or not really pcapng; re-export the capture.',
        },
      );
    }
    return { format: 'pcapng' };
  }
  if (
    magicBE === 0xa1b2c3d4 ||
    magicBE === 0xd4c3b2a1 ||
    magicBE === 0xa1b23c4d ||
    magicBE === 0x4d3cb2a1
  ) {
    if (head.length < PCAP_HEADER_BYTES) throw cutHeader(path, '24-byte pcap file header');
    return { format: 'pcap', header: parsePcapHeader(head, tally) };
  }
  const found = formatBytes(head.subarray(0, 4));
  const modified = magicBE === 0xa1b2cd34 || magicBE === 0x34cdb2a1;
  throw new ReportError(
    'INPUT_INVALID',
    `${path}: not a packet capture: ${what} starts with bytes ${found}${modified ? ' (the modified pcap format, which is not supported)' : ''}`,
    {
      details: [`accepted formats: ${ACCEPTED_FORMATS}`],
      hint: modified
        ? 'Convert it to standard pcap or pcapng, e.g. `editcap -F pcap in out`.'
        : 'Check that the file is a capture written by tcpdump, dumpcap or similar (CSV and NDJSON packet logs are read by a different path).',
    },
  );
}

function cutHeader(path: string, what: string): ReportError {
  return new ReportError('INPUT_INVALID', `${path}: the capture is cut off inside its ${what}`, {
    hint: 'Check that the file was written completely.',
  });
}

function formatBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

class CaptureFileReader implements CaptureColumnsReader {
  readonly format: 'pcap' | 'pcapng';
  private readonly table = new AddressTable();
  private readonly batch: BatchColumns;
  private readonly decoder: FrameDecoder;
  private truncated: CaptureProblem | undefined;
  private started = false;

  constructor(
    private readonly path: string,
    private readonly layout: CaptureLayout,
    batchSize: number,
    private readonly tally: CaptureTally,
    private readonly options: CaptureReadOptions,
  ) {
    this.format = layout.format;
    this.batch = new BatchColumns(batchSize);
    const byAddress = options.sensorsByAddress;
    // The reader's texts are canonical, but an IPv4-mapped IPv6 address is a sensor's IPv4 address.
    const sensors = byAddress
      ? new DestinationSensors((address) => byAddress.get(parseAddress(address) ?? address))
      : null;
    this.decoder = new FrameDecoder(this.batch, this.table, sensors);
  }

  /** The capture's addresses so far, by the indices the batches' src and dst columns hold. */
  get addresses(): AddressTable {
    return this.table;
  }

  batches(): AsyncIterable<BatchColumns> {
    if (this.started) throw new Error(`${this.path}: a capture's batches can be read only once`);
    this.started = true;
    return this.readBatches();
  }

  private async *readBatches(): AsyncGenerator<BatchColumns> {
    const { source } = await openByteSource(this.path, this.options.onProgress);
    const window = new StreamWindow(source);
    const batch = this.batch;
    try {
      let parser: RecordParser;
      if (this.layout.format === 'pcap') {
        await window.fill(PCAP_HEADER_BYTES);
        window.pos = PCAP_HEADER_BYTES;
        parser = new PcapParser(this.layout.header, this.decoder, batch, this.tally);
      } else {
        parser = new PcapngParser(this.decoder, batch, this.tally);
      }
      for (;;) {
        const need = parser.step(window);
        if (need === 0) {
          yield batch;
          batch.count = 0;
          continue;
        }
        if (!(await window.fill(need))) {
          const left = window.end - window.pos;
          if (left > 0) {
            this.truncated = {
              packet: this.tally.frames + 1,
              offset: window.offset,
              reason: `the capture ends inside a record: ${left} bytes left where ${need} are needed`,
            };
          } else if (source.cutOff) {
            this.truncated = {
              packet: this.tally.frames + 1,
              offset: window.offset,
              reason: 'the gzip stream ends before its end marker',
            };
          }
          break;
        }
      }
      if (batch.count > 0) {
        yield batch;
        batch.count = 0;
      }
    } finally {
      await source.close();
    }
  }

  summary(): CaptureSummary {
    const d = this.decoder;
    const summary: CaptureSummary = {
      format: this.format,
      frames: this.tally.frames,
      accepted: d.tcp + d.udp + d.icmp + d.icmpv6,
      skipped: { fragment: d.fragment, nonIp: d.nonIp, otherProtocol: d.otherProtocol },
      rejected: this.tally.rejected.slice(),
      rejectedTotal: this.tally.rejectedTotal,
      protocols: { tcp: d.tcp, udp: d.udp, icmp: d.icmp, icmpv6: d.icmpv6 },
    };
    if (this.truncated) summary.truncated = this.truncated;
    return summary;
  }
}
