import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ReportError } from '../../src/errors.js';
import { openCapture } from '../../src/ingest/capture.js';
import { AddressTable, formatIPv6 } from '../../src/ingest/capture/addresses.js';
import {
  PROTO_CODES,
  type CaptureReader,
  type CaptureReadOptions,
  type CaptureSummary,
} from '../../src/ingest/capture-types.js';
import {
  arp,
  buildPcap,
  buildPcapng,
  ethernet,
  icmp,
  ipv4,
  ipv6,
  nullLoopback,
  parseAddress,
  sll,
  sll2,
  tcp,
  udp,
  type PcapRecord,
} from '../helpers/capture-writer.js';

/** Every address text of a table, by index. */
const texts = (table: AddressTable): string[] => Array.from({ length: table.size }, (_, i) => table.text(i));

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const samplesDir = path.resolve(repoRoot, '../shared/samples');

interface Row {
  ts: number;
  src: string;
  dst: string;
  port: number;
  proto: number;
  packet: number;
}

/** Reads a whole capture, copying each batch out since batches are reused. */
async function readAll(
  file: string,
  options?: CaptureReadOptions,
): Promise<{ rows: Row[]; summary: CaptureSummary; batches: number; format: string }> {
  const reader = await openCapture(file, options);
  const rows: Row[] = [];
  let batches = 0;
  for await (const b of reader.batches()) {
    batches++;
    for (let i = 0; i < b.count; i++) {
      rows.push({
        ts: b.tsMs[i]!,
        src: reader.addresses.text(b.src[i]!),
        dst: reader.addresses.text(b.dst[i]!),
        port: b.port[i]!,
        proto: b.proto[i]!,
        packet: i === 0 ? b.firstPacketNumber : -1,
      });
    }
  }
  return { rows, summary: reader.summary(), batches, format: reader.format };
}

/** Reads every batch and throws away the packets. */
async function drain(reader: CaptureReader): Promise<void> {
  const batches = reader.batches()[Symbol.asyncIterator]();
  while (!(await batches.next()).done);
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<ReportError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ReportError, `expected a ReportError, got ${String(error)}`);
    assert.equal(error.code, 'INPUT_INVALID');
    assert.match(`${error.message}\n${error.details.join('\n')}`, pattern);
    return error;
  }
  assert.fail('expected the read to fail');
}

const A = '203.0.113.7';
const S = '198.51.100.1';

const tcpFrame = (port: number, src = A): Uint8Array =>
  ethernet(ipv4({ src, dst: S, protocol: 6, payload: tcp(port) }));
const udpFrame = (port: number, src = A): Uint8Array =>
  ethernet(ipv4({ src, dst: S, protocol: 17, payload: udp(port, 12) }));
const icmpFrame = (type: number, src = A): Uint8Array =>
  ethernet(ipv4({ src, dst: S, protocol: 1, payload: icmp(type) }));

describe('ingest/capture', () => {
  let dir: string;
  let n = 0;
  const write = (bytes: Uint8Array, name = `c${++n}.cap`): string => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tsubame-capture-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('pcap', () => {
    const records: PcapRecord[] = [
      { sec: 1633014000, frac: 1, data: tcpFrame(23) },
      { sec: 1633014001, frac: 999_999, data: udpFrame(53, '192.0.2.200') },
      { sec: 1633014002, frac: 500_000, data: icmpFrame(8) },
    ];

    for (const littleEndian of [true, false]) {
      it(`reads a ${littleEndian ? 'little' : 'big'}-endian microsecond file to the microsecond`, async () => {
        const { rows, summary, format } = await readAll(
          write(buildPcap({ littleEndian, records })),
        );
        assert.equal(format, 'pcap');
        assert.deepEqual(
          rows.map((r) => [Math.round(r.ts * 1000), r.src, r.dst, r.port, r.proto]),
          [
            [1633014000_000_001, A, S, 23, PROTO_CODES.tcp],
            [1633014001_999_999, '192.0.2.200', S, 53, PROTO_CODES.udp],
            [1633014002_500_000, A, S, 8, PROTO_CODES.icmp],
          ],
        );
        assert.equal(summary.frames, 3);
        assert.equal(summary.accepted, 3);
        assert.deepEqual(summary.protocols, { tcp: 1, udp: 1, icmp: 1, icmpv6: 0 });
        assert.equal(summary.truncated, undefined);
      });

      it(`reads a ${littleEndian ? 'little' : 'big'}-endian nanosecond file below the millisecond`, async () => {
        const file = write(
          buildPcap({
            littleEndian,
            nanoseconds: true,
            records: [{ sec: 1633014000, frac: 123_456_789, data: tcpFrame(80) }],
          }),
        );
        const { rows } = await readAll(file);
        assert.equal(rows.length, 1);
        // A Float64 epoch in ms holds about a quarter of a microsecond.
        assert.ok(Math.abs(rows[0]!.ts - 1633014000123.456789) < 0.001, String(rows[0]!.ts));
      });
    }

    it('interns each address once and keeps indices stable', async () => {
      const file = write(
        buildPcap({
          records: [
            tcpFrame(1),
            tcpFrame(2, '192.0.2.1'),
            tcpFrame(3),
            udpFrame(4, '192.0.2.1'),
          ].map((data, i) => ({ sec: i, frac: 0, data })),
        }),
      );
      const reader = await openCapture(file);
      const srcs: number[] = [];
      for await (const b of reader.batches())
        for (let i = 0; i < b.count; i++) srcs.push(b.src[i]!);
      assert.deepEqual(texts(reader.addresses), [A, S, '192.0.2.1']);
      assert.deepEqual(srcs, [0, 2, 0, 2]);
    });

    it('hands out reused batches of the requested size with their first packet numbers', async () => {
      const data = [
        tcpFrame(1),
        ethernet(arp(), 0x0806),
        tcpFrame(2),
        tcpFrame(3),
        tcpFrame(4),
        tcpFrame(5),
      ];
      const file = write(
        buildPcap({ records: data.map((d, i) => ({ sec: i, frac: 0, data: d })) }),
      );
      const reader = await openCapture(file, { batchSize: 2 });
      const seen: Array<[number, number[]]> = [];
      let first: unknown;
      for await (const b of reader.batches()) {
        first ??= b;
        assert.equal(b, first, 'the same batch object is refilled');
        seen.push([b.firstPacketNumber, Array.from(b.port.subarray(0, b.count))]);
      }
      assert.deepEqual(seen, [
        [1, [1, 2]],
        [4, [3, 4]],
        [6, [5]],
      ]);
      assert.equal(reader.summary().skipped.nonIp, 1);
    });

    it('decodes single and double VLAN tags', async () => {
      const inner = ipv4({ src: A, dst: S, protocol: 6, payload: tcp(443) });
      const file = write(
        buildPcap({
          records: [
            { sec: 1, frac: 0, data: ethernet(inner, 0x0800, [0x8100]) },
            { sec: 2, frac: 0, data: ethernet(inner, 0x0800, [0x88a8, 0x8100]) },
            { sec: 3, frac: 0, data: ethernet(arp(), 0x0806, [0x8100]) },
          ],
        }),
      );
      const { rows, summary } = await readAll(file);
      assert.deepEqual(
        rows.map((r) => r.port),
        [443, 443],
      );
      assert.equal(summary.skipped.nonIp, 1);
    });

    it('decodes Linux cooked SLL and SLL2', async () => {
      const packet = ipv4({ src: A, dst: S, protocol: 17, payload: udp(161) });
      const v1 = await readAll(
        write(
          buildPcap({
            linkType: 113,
            records: [
              { sec: 1, frac: 0, data: sll(packet) },
              { sec: 2, frac: 0, data: sll(arp(), 0x0806) },
            ],
          }),
        ),
      );
      const v2 = await readAll(
        write(
          buildPcap({
            linkType: 276,
            records: [
              { sec: 1, frac: 0, data: sll2(packet) },
              { sec: 2, frac: 0, data: sll2(arp(), 0x0806) },
            ],
          }),
        ),
      );
      for (const { rows, summary } of [v1, v2]) {
        assert.deepEqual(
          rows.map((r) => [r.src, r.port, r.proto]),
          [[A, 161, PROTO_CODES.udp]],
        );
        assert.equal(summary.skipped.nonIp, 1);
      }
    });

    it('decodes raw IP under link types 101, 12, 228 and 229, and BSD loopback', async () => {
      const v4 = ipv4({ src: A, dst: S, protocol: 6, payload: tcp(22) });
      const v6 = ipv6({ src: '2001:db8::5', dst: '2001:db8::1', protocol: 6, payload: tcp(22) });
      const cases: Array<[number, Uint8Array[], string[]]> = [
        [101, [v4, v6], [A, '2001:db8::5']],
        [12, [v4, v6], [A, '2001:db8::5']],
        [228, [v4], [A]],
        [229, [v6], ['2001:db8::5']],
        [
          0,
          [nullLoopback(v4, 2), nullLoopback(v6, 30, false), nullLoopback(v4, 7)],
          [A, '2001:db8::5'],
        ],
      ];
      for (const [linkType, frames, sources] of cases) {
        const { rows } = await readAll(
          write(
            buildPcap({ linkType, records: frames.map((data, i) => ({ sec: i, frac: 0, data })) }),
          ),
        );
        assert.deepEqual(
          rows.map((r) => r.src),
          sources,
          `link type ${linkType}`,
        );
      }
    });

    it('walks IPv6 extension headers and skips non-first fragments', async () => {
      const src = '2001:db8:0:0:1:0:0:1';
      const frame = (
        protocol: number,
        payload: Uint8Array,
        extensions: Parameters<typeof ipv6>[0]['extensions'],
      ): Uint8Array =>
        ethernet(ipv6({ src, dst: '2001:db8::1', protocol, payload, extensions }), 0x86dd);
      const file = write(
        buildPcap({
          records: [
            frame(6, tcp(8080), [
              { type: 0 },
              { type: 43, bytes: 24 },
              { type: 60 },
              { type: 44, offset: 0, more: true },
            ]),
            frame(17, udp(53), [{ type: 44, offset: 185 }]),
            frame(58, icmp(128), [{ type: 60, bytes: 16 }]),
            frame(50, new Uint8Array(16), [{ type: 0 }]),
          ].map((data, i) => ({ sec: i, frac: 0, data })),
        }),
      );
      const { rows, summary } = await readAll(file);
      assert.deepEqual(
        rows.map((r) => [r.src, r.dst, r.port, r.proto]),
        [
          ['2001:db8::1:0:0:1', '2001:db8::1', 8080, PROTO_CODES.tcp],
          ['2001:db8::1:0:0:1', '2001:db8::1', 128, PROTO_CODES.icmpv6],
        ],
      );
      assert.deepEqual(summary.skipped, { fragment: 1, nonIp: 0, otherProtocol: 1 });
      assert.deepEqual(summary.protocols, { tcp: 1, udp: 0, icmp: 0, icmpv6: 1 });
    });

    it('gives ICMP types, skips IPv4 non-first fragments and other protocols', async () => {
      const file = write(
        buildPcap({
          records: [
            icmpFrame(8),
            icmpFrame(3),
            ethernet(
              ipv4({ src: A, dst: S, protocol: 17, payload: udp(53, 100), moreFragments: true }),
            ),
            ethernet(
              ipv4({
                src: A,
                dst: S,
                protocol: 17,
                payload: new Uint8Array(100),
                fragmentOffset: 14,
              }),
            ),
            ethernet(ipv4({ src: A, dst: S, protocol: 47, payload: new Uint8Array(24) })),
            ethernet(ipv4({ src: A, dst: S, protocol: 50, payload: new Uint8Array(24) })),
            ethernet(ipv6({ src: '::1', dst: '::2', protocol: 58, payload: icmp(135) }), 0x86dd),
          ].map((data, i) => ({ sec: i, frac: 0, data })),
        }),
      );
      const { rows, summary } = await readAll(file);
      assert.deepEqual(
        rows.map((r) => [r.port, r.proto]),
        [
          [8, PROTO_CODES.icmp],
          [3, PROTO_CODES.icmp],
          [53, PROTO_CODES.udp],
          [135, PROTO_CODES.icmpv6],
        ],
      );
      assert.deepEqual(summary.skipped, { fragment: 1, nonIp: 0, otherProtocol: 2 });
      assert.equal(summary.frames, 7);
    });

    it('streams a capture larger than its read window', async () => {
      // ~10 MiB: the reader has to slide its 4 MiB window and carry records across the seam.
      const count = 150_000;
      const records: PcapRecord[] = [];
      for (let i = 0; i < count; i++)
        records.push({
          sec: 1_600_000_000 + i,
          frac: i % 1_000_000,
          data: i % 3 === 0 ? udpFrame(i % 65536, '10.0.0.' + (i % 250)) : tcpFrame(i % 65536),
        });
      const reader = await openCapture(write(buildPcap({ records })));
      let total = 0;
      let portSum = 0;
      let ordered = true;
      let last = -Infinity;
      for await (const b of reader.batches()) {
        for (let i = 0; i < b.count; i++) {
          portSum += b.port[i]!;
          ordered &&= b.tsMs[i]! > last;
          last = b.tsMs[i]!;
        }
        total += b.count;
      }
      let expected = 0;
      for (let i = 0; i < count; i++) expected += i % 65536;
      assert.equal(total, count);
      assert.equal(portSum, expected);
      assert.ok(ordered);
      assert.equal(reader.addresses.size, 252);
    });
  });

  describe('pcapng', () => {
    it('reads sections of both byte orders, several interfaces and resolutions, EPB, SPB and PB', async () => {
      const v6 = ipv6({ src: '2001:db8::9', dst: '2001:db8::1', protocol: 6, payload: tcp(22) });
      const file = write(
        buildPcapng([
          {
            littleEndian: true,
            blocks: [
              { type: 'idb', linkType: 1 }, // microseconds by default
              { type: 'idb', linkType: 101, tsresol: 9, snaplen: 65535 },
              { type: 'other', code: 4, body: new Uint8Array(8) }, // name resolution: skipped
              { type: 'epb', iface: 0, ts: 1633014000_000_001n, data: tcpFrame(23) },
              { type: 'epb', iface: 1, ts: 1633014000_123_456_789n, data: v6 },
              { type: 'spb', data: udpFrame(123) },
              { type: 'other', code: 5, body: new Uint8Array(16) }, // interface statistics: skipped
            ],
          },
          {
            littleEndian: false,
            blocks: [
              { type: 'idb', linkType: 113, tsresol: 0x80 | 10, tsoffset: 1000 }, // 2^-10 s, +1000 s
              {
                type: 'pb',
                iface: 0,
                ts: 1024n * 1633013000n + 512n,
                data: sll(ipv4({ src: A, dst: S, protocol: 1, payload: icmp(13) })),
              },
              { type: 'epb', iface: 0, ts: 1024n * 1633013001n, data: sll(arp(), 0x0806) },
            ],
          },
        ]),
      );
      const { rows, summary, format } = await readAll(file);
      assert.equal(format, 'pcapng');
      assert.deepEqual(
        rows.map((r) => [r.src, r.port, r.proto]),
        [
          [A, 23, PROTO_CODES.tcp],
          ['2001:db8::9', 22, PROTO_CODES.tcp],
          [A, 123, PROTO_CODES.udp],
          [A, 13, PROTO_CODES.icmp],
        ],
      );
      assert.equal(Math.round(rows[0]!.ts * 1000), 1633014000_000_001);
      assert.ok(Math.abs(rows[1]!.ts - 1633014000123.456789) < 0.001);
      assert.equal(rows[2]!.ts, rows[1]!.ts, 'a simple packet block takes the previous time');
      assert.equal(rows[3]!.ts, 1633014000500);
      assert.equal(summary.frames, 5);
      assert.equal(summary.skipped.nonIp, 1);
    });

    it('rejects a packet on an undescribed interface and one whose length overruns its block, then goes on', async () => {
      const file = write(
        buildPcapng([
          {
            blocks: [
              { type: 'idb', linkType: 1 },
              { type: 'epb', iface: 3, ts: 1n, data: tcpFrame(1) },
              { type: 'epb', iface: 0, ts: 2n, data: tcpFrame(2), caplen: 500 },
              { type: 'epb', iface: 0, ts: 3n, data: tcpFrame(3) },
            ],
          },
        ]),
      );
      const { rows, summary } = await readAll(file);
      assert.deepEqual(
        rows.map((r) => r.port),
        [3],
      );
      assert.deepEqual(
        summary.rejected.map((p) => [p.packet, p.offset]),
        [
          [1, 48],
          [2, 48 + 88],
        ],
      );
      assert.match(summary.rejected[0]!.reason, /interface 3/);
      assert.match(summary.rejected[1]!.reason, /captured length 500/);
    });

    it('names the file and the link type when an interface cannot be decoded', async () => {
      const file = write(
        buildPcapng([
          {
            blocks: [
              { type: 'idb', linkType: 147 },
              { type: 'epb', iface: 0, ts: 1n, data: new Uint8Array(20) },
            ],
          },
        ]),
      );
      const reader = await openCapture(file);
      await rejects(drain(reader), new RegExp(`${file}.*link type 147`));
    });
  });

  describe('gzip', () => {
    it('recognises gzip by its magic bytes, whatever the file name, for pcap and pcapng', async () => {
      const pcap = buildPcap({
        littleEndian: false,
        records: [{ sec: 5, frac: 6, data: tcpFrame(25) }],
      });
      const pcapng = buildPcapng([
        {
          blocks: [
            { type: 'idb', linkType: 1 },
            { type: 'epb', iface: 0, ts: 5_000_006n, data: tcpFrame(25) },
          ],
        },
      ]);
      for (const [bytes, format] of [
        [pcap, 'pcap'],
        [pcapng, 'pcapng'],
      ] as const) {
        const { rows, format: read } = await readAll(
          write(gzipSync(bytes), `plain-name-${format}.cap`),
        );
        assert.equal(read, format);
        assert.deepEqual(
          rows.map((r) => [r.ts, r.port]),
          [[5000.006, 25]],
        );
      }
    });

    it('keeps the complete records of a cut-off gzip file and marks it truncated', async () => {
      const records = Array.from({ length: 2000 }, (_, i) => ({
        sec: i,
        frac: 0,
        data: tcpFrame(i % 1000, `10.${i >> 8}.${i & 255}.1`),
      }));
      const gz = gzipSync(buildPcap({ records }));
      const { rows, summary } = await readAll(write(gz.subarray(0, Math.floor(gz.length * 0.6))));
      assert.ok(summary.truncated, 'truncated is set');
      assert.ok(rows.length > 0 && rows.length < 2000, String(rows.length));
      assert.deepEqual(
        rows.map((r) => r.port),
        records.slice(0, rows.length).map((_, i) => i % 1000),
      );
    });
  });

  describe('malformed input', () => {
    it('rejects a file that is not a capture, naming the bytes found and the accepted formats', async () => {
      const file = write(Buffer.from('ts,sensor,src_ip,dst_port,proto\n'));
      await rejects(openCapture(file), new RegExp(`${file}.*74 73 2c 73[\\s\\S]*pcapng`));
      await rejects(
        openCapture(write(gzipSync(Buffer.from('hello world')))),
        /decompressed content starts with bytes 68 65 6c 6c/,
      );
      await rejects(openCapture(write(new Uint8Array(0))), /empty/);
      await rejects(openCapture(path.join(dir, 'missing.pcap')), /cannot open/);
    });

    it('names the file and the link type when the pcap link type is unknown', async () => {
      const file = write(buildPcap({ linkType: 105, records: [] }));
      const error = await rejects(openCapture(file), new RegExp(`${file}.*link type 105`));
      assert.match(error.details.join(''), /1 Ethernet/);
    });

    it('keeps the complete records when the last one is cut off', async () => {
      const bytes = buildPcap({
        records: [1, 2, 3].map((port) => ({ sec: port, frac: 0, data: tcpFrame(port) })),
      });
      for (const cut of [10, 60]) {
        const { rows, summary } = await readAll(write(bytes.subarray(0, bytes.length - cut)));
        assert.deepEqual(
          rows.map((r) => r.port),
          [1, 2],
        );
        assert.equal(summary.frames, 2);
        assert.equal(summary.truncated?.packet, 3);
        assert.equal(summary.truncated?.offset, 24 + 2 * (16 + 54));
      }
      const ng = buildPcapng([
        {
          blocks: [
            { type: 'idb', linkType: 1 },
            { type: 'epb', iface: 0, ts: 1n, data: tcpFrame(1) },
            { type: 'epb', iface: 0, ts: 2n, data: tcpFrame(2) },
          ],
        },
      ]);
      const { rows, summary } = await readAll(write(ng.subarray(0, ng.length - 7)));
      assert.deepEqual(
        rows.map((r) => r.port),
        [1],
      );
      assert.equal(summary.truncated?.packet, 2);
      await rejects(
        openCapture(write(bytes.subarray(0, 20))),
        /cut off inside its 24-byte pcap file header/,
      );
    });

    it('rejects short and garbled packets with their number, offset and reason, and reads on', async () => {
      const records: PcapRecord[] = [
        { sec: 1, frac: 0, data: new Uint8Array(10) }, // shorter than Ethernet
        {
          sec: 2,
          frac: 0,
          data: ethernet(ipv4({ src: A, dst: S, protocol: 6, payload: tcp(80) }).subarray(0, 22)),
        }, // TCP cut off
        {
          sec: 3,
          frac: 0,
          data: ethernet(ipv4({ src: A, dst: S, protocol: 6, payload: tcp(80), ihl: 3 })),
        }, // bad IHL
        {
          sec: 4,
          frac: 0,
          data: ethernet(
            ipv4({ src: A, dst: S, protocol: 6, payload: tcp(80), ihl: 15 }).subarray(0, 40),
          ),
        }, // options cut off
        {
          sec: 5,
          frac: 0,
          data: ethernet(
            ipv6({ src: '::1', dst: '::2', protocol: 6, payload: tcp(80) }).subarray(0, 30),
            0x86dd,
          ),
        },
        { sec: 6, frac: 0, data: new Uint8Array(2000) }, // above the snapshot length
        { sec: 7, frac: 0, data: tcpFrame(7) },
      ];
      const { rows, summary } = await readAll(write(buildPcap({ snaplen: 1500, records })));
      assert.deepEqual(
        rows.map((r) => r.port),
        [7],
      );
      assert.equal(summary.frames, 7);
      assert.equal(summary.rejectedTotal, 6);
      let offset = 24;
      const offsets = records.map(
        (r) => ((offset += 16 + r.data.length), offset - 16 - r.data.length),
      );
      assert.deepEqual(
        summary.rejected.map((p) => [p.packet, p.offset]),
        [1, 2, 3, 4, 5, 6].map((k) => [k, offsets[k - 1]]),
      );
      const reasons = summary.rejected.map((p) => p.reason);
      assert.match(reasons[0]!, /shorter than an Ethernet header/);
      assert.match(reasons[1]!, /TCP header cut off/);
      assert.match(reasons[2]!, /bad IPv4 header length: IHL 3/);
      assert.match(reasons[3]!, /IPv4 header cut off: 40 of 60 bytes \(IHL 15\)/);
      assert.match(reasons[4]!, /IPv6 header cut off/);
      assert.match(reasons[5]!, /snapshot length 1500/);
    });

    it('stops with an error when a record length breaks the framing', async () => {
      const bytes = buildPcap({
        records: [
          { sec: 1, frac: 0, data: tcpFrame(1) },
          { sec: 2, frac: 0, data: tcpFrame(2), caplen: 0x7fffffff },
        ],
      });
      const reader = await openCapture(write(bytes));
      const ports: number[] = [];
      await rejects(
        (async () => {
          for await (const b of reader.batches()) ports.push(...b.port.subarray(0, b.count));
        })(),
        /byte 94 \(packet 2\): captured length 2147483647/,
      );
      assert.equal(reader.summary().frames, 1);
      const ng = buildPcapng([
        {
          blocks: [
            { type: 'idb', linkType: 1 },
            { type: 'epb', iface: 0, ts: 1n, data: tcpFrame(1) },
          ],
        },
      ]);
      ng.writeUInt32LE(999, ng.length - 4); // trailing length disagrees
      const ngReader = await openCapture(write(ng));
      await rejects(drain(ngReader), /ends with length 999/);
    });
  });

  describe('robustness', () => {
    it('either reads or throws a ReportError, whatever bytes are damaged', async () => {
      const frames = [
        tcpFrame(23),
        udpFrame(53),
        icmpFrame(8),
        ethernet(
          ipv6({
            src: '2001:db8::5',
            dst: '2001:db8::1',
            protocol: 6,
            payload: tcp(22),
            extensions: [{ type: 0 }, { type: 44, offset: 0 }],
          }),
          0x86dd,
          [0x8100],
        ),
        ethernet(arp(), 0x0806),
      ];
      const originals = [
        buildPcap({ records: frames.map((data, i) => ({ sec: i, frac: i, data })) }),
        buildPcapng([
          {
            blocks: [
              { type: 'idb', linkType: 1, tsresol: 9 },
              ...frames.map((data, i) => ({ type: 'epb' as const, iface: 0, ts: BigInt(i), data })),
              { type: 'spb', data: frames[0]! },
            ],
          },
        ]),
      ];
      let state = 12345;
      const random = (bound: number): number => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return (state >>> 8) % bound;
      };
      let read = 0;
      let refused = 0;
      for (let round = 0; round < 400; round++) {
        const bytes = Buffer.from(originals[round % 2]!);
        for (let k = 1 + random(4); k > 0; k--) bytes[24 + random(bytes.length - 24)] = random(256);
        const file = write(bytes, 'fuzz.cap');
        try {
          const reader = await openCapture(file);
          await drain(reader);
          const summary = reader.summary();
          assert.equal(
            summary.frames,
            summary.accepted +
              summary.skipped.fragment +
              summary.skipped.nonIp +
              summary.skipped.otherProtocol +
              summary.rejectedTotal!,
          );
          read++;
        } catch (error) {
          assert.ok(error instanceof ReportError, `round ${round}: ${(error as Error).stack}`);
          refused++;
        }
      }
      assert.ok(read > 0 && refused > 0, `${read} read, ${refused} refused`);
    });

    it('reports progress up to the whole file, plain or compressed', async () => {
      const bytes = buildPcap({ records: [{ sec: 1, frac: 0, data: tcpFrame(1) }] });
      for (const contents of [bytes, gzipSync(bytes)]) {
        const seen: number[] = [];
        await drain(await openCapture(write(contents), { onProgress: (n) => seen.push(n) }));
        assert.equal(seen.at(-1), contents.length);
      }
    });
  });

  describe('addresses', () => {
    it('writes IPv6 in RFC 5952 form', () => {
      const cases: Array<[string, string]> = [
        ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
        ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
        ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
        ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
        ['0:0:0:0:0:0:0:0', '::'],
        ['0:0:0:0:0:0:0:1', '::1'],
        ['fe80:0:0:0:0:0:0:0', 'fe80::'],
        ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
        ['2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:FFFF', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff'],
      ];
      for (const [input, expected] of cases)
        assert.equal(formatIPv6(parseAddress(input)), expected, input);
    });

    it('keeps one index per address while its tables grow', () => {
      const table = new AddressTable();
      const bytes = new Uint8Array(16);
      const indexOf = new Map<string, number>();
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 20_000; i++) {
          const v4 = [(i * 2654435761) >>> 24, i >> 8, i & 255, 200];
          bytes.set(v4);
          const text = v4.join('.');
          const index = table.internV4(bytes, 0);
          assert.equal(table.text(index), text);
          if (indexOf.has(text)) assert.equal(indexOf.get(text), index);
          indexOf.set(text, index);
          const v6 = parseAddress(`2001:db8::${(i + 1).toString(16)}`);
          const index6 = table.internV6(v6, 0);
          if (indexOf.has(`v6 ${i}`)) assert.equal(indexOf.get(`v6 ${i}`), index6);
          indexOf.set(`v6 ${i}`, index6);
          assert.equal(table.text(index6), `2001:db8::${(i + 1).toString(16)}`);
        }
      }
      assert.equal(table.size, new Set(texts(table)).size);
      assert.equal(table.size, 40_000);
    });

    it('gives a destination the same index as a source, also when recent destinations share low bits', () => {
      const table = new AddressTable();
      const bytes = new Uint8Array(4);
      const intern = (address: string, destination: boolean) => {
        bytes.set(address.split('.').map(Number));
        return destination ? table.internV4Destination(bytes, 0) : table.internV4(bytes, 0);
      };
      // 203.0.113.1 and 198.51.100.1 end in the same bits, so they take turns in one cache entry.
      const sensors = ['203.0.113.1', '198.51.100.1', '203.0.113.2', '0.0.0.0'];
      const seen = new Map<string, number>();
      for (let round = 0; round < 3; round++) {
        for (const [i, address] of sensors.entries()) {
          const index = intern(address, (round + i) % 2 === 0);
          assert.equal(table.text(index), address);
          if (seen.has(address)) assert.equal(index, seen.get(address));
          seen.set(address, index);
          intern(`10.0.${round}.${i}`, false);
        }
      }
      assert.equal(table.size, new Set(texts(table)).size);
      assert.equal(table.size, sensors.length + 3 * sensors.length);
    });
  });

  describe('sample captures', () => {
    // Counts as tcpdump 4.99 reads them, from shared/samples/README.md. The two
    // `.pcapng` files are in fact classic pcap, which the magic bytes reveal.
    const expected: Array<[string, number, number, number, number, number, number, number]> = [
      // file, frames, tcp, udp, icmp, frag, non-IP, other
      ['tcp_0_1000_20190821.pcap', 1005, 1005, 0, 0, 0, 0, 0],
      ['udp_0_1000_20190821.pcap', 1001, 0, 1001, 0, 0, 0, 0],
      ['amp.TCP.reflection.SYNACK.pcap', 8000, 7679, 163, 153, 1, 4, 0],
      ['amp.dns.RRSIG.fragmented.pcap', 4412, 3104, 574, 7, 726, 0, 1],
      ['amp.UDP.snmp.src161.pcapng', 4373, 0, 4079, 294, 0, 0, 0],
      ['pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng', 9878, 9878, 0, 0, 0, 0, 0],
    ];
    for (const [file, frames, tcpCount, udpCount, icmpCount, frag, nonIp, other] of expected) {
      it(`${file} gives tcpdump's counts`, async () => {
        const { rows, summary } = await readAll(path.join(samplesDir, 'captures', file));
        const p = summary.protocols!;
        assert.deepEqual(
          [
            summary.frames,
            p.tcp,
            p.udp,
            p.icmp + p.icmpv6,
            summary.skipped.fragment,
            summary.skipped.nonIp,
            summary.skipped.otherProtocol,
            summary.rejectedTotal,
          ],
          [frames, tcpCount, udpCount, icmpCount, frag, nonIp, other, 0],
        );
        assert.equal(rows.length, summary.accepted);
        assert.equal(summary.truncated, undefined);
      });
    }

    it('places the first packets at the times the sample table gives', async () => {
      const { rows } = await readAll(path.join(samplesDir, 'captures', 'tcp_0_1000_20190821.pcap'));
      assert.equal(new Date(rows[0]!.ts).toISOString().slice(0, 19), '2019-08-21T18:16:47');
      assert.equal(rows[0]!.dst, '198.124.152.15');
    });
  });
});
