import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadQuarterStatsFromStore } from '../../src/aggregate/index.js';
import { parseQuarterConfig } from '../../src/aggregate/config.js';
import { ingestHoneypotFiles, ingestPacketFiles } from '../../src/ingest/ingest.js';
import { parseManifest } from '../../src/ingest/manifest.js';
import type { QuarterStats } from '../../src/stats/schema.js';
import { MEMORY_STORE, openStore } from '../../src/store/store.js';
import { arp, buildPcap, ethernet, icmp, ipv4, tcp, udp, type PcapRecord } from '../helpers/capture-writer.js';
import { fixtureGeo, MANIFEST, renderRules, Q3_RULES, Q4_RULES, writeFixtureFiles, type FixtureFiles } from './fixture.js';

const manifest = parseManifest(MANIFEST, 'sensors.csv');
const addressOf = new Map(manifest.sensors.map((s) => [s.name, s.address!]));
const PROTOCOL = { tcp: 6, udp: 17, icmp: 1 } as const;

/** The same packets as a CSV packet log, as Ethernet frames in a pcap. */
function renderPcap(csvLines: string[]): Buffer {
  const records: PcapRecord[] = [{ sec: 1633046400, frac: 0, data: arp() }];
  for (const line of csvLines) {
    const [ts, sensor, src, port, proto] = line.split(',') as [string, string, string, string, keyof typeof PROTOCOL];
    const payload = proto === 'tcp' ? tcp(Number(port)) : proto === 'udp' ? udp(Number(port)) : icmp(Number(port));
    const ms = Date.parse(ts);
    records.push({
      sec: Math.floor(ms / 1000),
      frac: (ms % 1000) * 1000,
      data: ethernet(ipv4({ src, dst: addressOf.get(sensor)!, protocol: PROTOCOL[proto], payload })),
    });
  }
  return buildPcap({ records });
}

async function statsFrom(files: string[], fixture: FixtureFiles): Promise<QuarterStats> {
  const store = await openStore(MEMORY_STORE);
  const effects = { log: () => {}, clock: () => new Date('2022-01-15T00:00:00Z') };
  try {
    await ingestPacketFiles(store, { files, manifest, geo: fixtureGeo }, effects);
    await ingestHoneypotFiles(store, { name: 'telnet-pot', files: [fixture.honeypot] }, effects);
    const config = parseQuarterConfig({ focus: [{ port: 23, proto: 'tcp', honeypot: 'telnet-pot' }], honeypotThreshold: 2 }, 'config');
    return await loadQuarterStatsFromStore(store, { quarter: '2021Q4', config, clock: effects.clock, log: () => {} });
  } finally {
    store.close();
  }
}

describe('aggregate: CSV and pcap inputs of the same packets', () => {
  let fixture: FixtureFiles;
  before(async () => {
    fixture = await writeFixtureFiles();
  });
  after(async () => {
    await rm(fixture.dir, { recursive: true, force: true });
  });

  it('give identical statistics (the pcap attributed by destination address)', async () => {
    const q3 = join(fixture.dir, 'q3.pcap');
    const q4 = join(fixture.dir, 'q4.pcap');
    await writeFile(q3, renderPcap(renderRules(Q3_RULES, 2021, 6)));
    await writeFile(q4, renderPcap(renderRules(Q4_RULES, 2021, 9)));
    const fromCsv = await statsFrom([fixture.q3, fixture.q4], fixture);
    const fromPcap = await statsFrom([q3, q4], fixture);
    const { provenance: a, ...csvFigures } = fromCsv;
    const { provenance: b, ...pcapFigures } = fromPcap;
    assert.deepEqual(pcapFigures, csvFigures);
    assert.equal(b.skipped.nonIp, 1, 'the ARP frame is skipped and recorded');
    assert.equal(a.skipped.nonIp, 0);
    assert.equal(b.inputs[0]!.packets, a.inputs[0]!.packets);
  });
});
