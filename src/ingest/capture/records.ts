/**
 * What the pcap and pcapng record parsers share: the step contract, the
 * per-read tally of frames and problems, and the errors for unreadable input.
 */
import { ReportError } from '../../errors.js';
import type { CaptureProblem } from '../capture-types.js';
import { formatSupportedLinkTypes } from './frame.js';
import type { StreamWindow } from './byte-source.js';

/** At most this many rejected frames are listed one by one; the rest are only counted. */
export const MAX_LISTED_PROBLEMS = 10_000;

/** Walks the records of one capture format. */
export interface RecordParser {
  /**
   * Decodes the complete records in the window until the batch is full
   * (returns 0) or the next record is incomplete (returns how many bytes from
   * `window.pos` it needs). Throws a ReportError when the framing is broken.
   */
  step(window: StreamWindow): number;
}

/** Frames read and frames rejected in one read. */
export class CaptureTally {
  frames = 0;
  rejectedTotal = 0;
  readonly rejected: CaptureProblem[] = [];

  constructor(readonly path: string) {}

  reject(packet: number, offset: number, reason: string): void {
    this.rejectedTotal++;
    if (this.rejected.length < MAX_LISTED_PROBLEMS) this.rejected.push({ packet, offset, reason });
  }

  /** The error for a record whose framing cannot be trusted, so nothing after it can be read. */
  corrupt(packet: number, offset: number, reason: string): ReportError {
    return new ReportError(
      'INPUT_INVALID',
      `${this.path}: byte ${offset} (packet ${packet}): ${reason}; the capture cannot be read past this point`,
      {
        hint: 'The file is damaged from this record on. Cut it before this byte offset (e.g. `editcap -r`), or re-export the capture, and ingest it again.',
      },
    );
  }

  unknownLinkType(linkType: number, where: string): ReportError {
    return new ReportError(
      'INPUT_INVALID',
      `${this.path}: ${where} has link type ${linkType}, which cannot be decoded`,
      {
        details: [`supported link types: ${formatSupportedLinkTypes()}`],
        hint: 'Convert the capture to Ethernet or raw IP (e.g. with editcap or tcpdump -w after decapsulation), or leave this file out.',
      },
    );
  }
}
