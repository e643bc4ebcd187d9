/**
 * Test fixture: a small, hand-designed observation set for 2021Q3–2021Q4
 * (Asia/Tokyo), written as files by the tests. Its shape is chosen so that
 * every figure can be computed by hand (see aggregate.test.ts):
 *
 * - domestic sensors s1, s2 (every day), s3 (goes silent after 2021-11-15),
 *   s4 (manifest range from 2021-10-11, one packet before it); overseas o1;
 * - 445/TCP has more packets than 3389/TCP but fewer per sensor per day;
 * - 8/ICMP, 53/TCP, 53/UDP tie; 1000–1004/TCP tie and fill ranks 8–12.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeoResolver } from '../../src/geo/geo.js';

/** Regions by address prefix, so that tests do not depend on a GeoIP data release. */
export const fixtureGeo: GeoResolver = {
  name: 'fixture-geo',
  date: '2021-09-01',
  lookup(address) {
    if (address.startsWith('203.0.113.')) return 'CN';
    if (address.startsWith('198.51.100.')) return 'US';
    if (address.startsWith('192.0.2.')) return 'RU';
    if (address.startsWith('100.64.')) return 'NL';
    return 'ZZ';
  },
};

export const MANIFEST = [
  'sensor,country,address,active_from,active_to',
  's1,JP,192.168.0.1,,',
  's2,JP,192.168.0.2,,',
  's3,JP,192.168.0.3,,',
  's4,JP,192.168.0.4,2021-10-11,',
  'o1,US,192.168.1.1,,',
].join('\n');

interface Rule {
  sensor: string;
  port: number;
  proto: string;
  sources: string[];
  /** Packets from each source on each day of the range. */
  each: number;
  /** Inclusive day indexes within the quarter. */
  from: number;
  to: number;
}

/** Q4 rules: day 0 is 2021-10-01, day 91 is 2021-12-31. */
export const Q4_RULES: Rule[] = [
  { sensor: 's3', port: 23, proto: 'tcp', sources: ['203.0.113.1', '203.0.113.2', '203.0.113.3'], each: 10, from: 0, to: 45 },
  { sensor: 's3', port: 23, proto: 'tcp', sources: ['198.51.100.1', '198.51.100.2'], each: 5, from: 0, to: 45 },
  { sensor: 's1', port: 23, proto: 'tcp', sources: ['192.0.2.1'], each: 2, from: 80, to: 91 },
  { sensor: 's1', port: 80, proto: 'tcp', sources: ['198.51.100.10'], each: 8, from: 0, to: 91 },
  { sensor: 's1', port: 445, proto: 'tcp', sources: ['192.0.2.5'], each: 30, from: 10, to: 45 },
  { sensor: 's2', port: 3389, proto: 'tcp', sources: ['203.0.113.50'], each: 20, from: 46, to: 91 },
  { sensor: 's2', port: 8, proto: 'icmp', sources: ['10.0.0.1'], each: 3, from: 0, to: 91 },
  { sensor: 's2', port: 53, proto: 'tcp', sources: ['10.0.0.1'], each: 3, from: 0, to: 91 },
  { sensor: 's2', port: 53, proto: 'udp', sources: ['10.0.0.1'], each: 3, from: 0, to: 91 },
  ...[1000, 1001, 1002, 1003, 1004].map((port) => ({ sensor: 's1', port, proto: 'tcp', sources: ['100.64.0.1'], each: 1, from: 0, to: 91 })),
  // Before s4's manifest range: excluded and counted.
  { sensor: 's4', port: 23, proto: 'tcp', sources: ['203.0.113.1'], each: 1, from: 3, to: 3 },
  // Overseas: must never reach the domestic tables.
  { sensor: 'o1', port: 23, proto: 'tcp', sources: ['203.0.113.9'], each: 100, from: 0, to: 91 },
];

/** Q3 rules: day 0 is 2021-07-01, day 91 is 2021-09-30; only s1 reports. */
export const Q3_RULES: Rule[] = [
  { sensor: 's1', port: 80, proto: 'tcp', sources: ['198.51.100.10'], each: 10, from: 0, to: 91 },
  { sensor: 's1', port: 23, proto: 'tcp', sources: ['203.0.113.1'], each: 3, from: 0, to: 91 },
  { sensor: 's1', port: 23, proto: 'tcp', sources: ['198.51.100.1'], each: 2, from: 0, to: 91 },
  { sensor: 's1', port: 1003, proto: 'tcp', sources: ['100.64.0.1'], each: 4, from: 0, to: 91 },
  { sensor: 's1', port: 22, proto: 'tcp', sources: ['192.0.2.7'], each: 1, from: 0, to: 91 },
];

/** Local noon (JST) of day `day` after the first day of the quarter, as ISO UTC. */
function noonUtc(year: number, month0: number, day: number, second: number): string {
  return new Date(Date.UTC(year, month0, 1 + day, 3, 0, second % 60)).toISOString();
}

export function renderRules(rules: Rule[], year: number, month0: number): string[] {
  const lines: string[] = [];
  for (const rule of rules)
    for (let day = rule.from; day <= rule.to; day++)
      rule.sources.forEach((src) => {
        for (let i = 0; i < rule.each; i++) lines.push(`${noonUtc(year, month0, day, i)},${rule.sensor},${src},${rule.port},${rule.proto}`);
      });
  return lines;
}

export const HONEYPOT_LINES = [
  'ts,src_ip,username',
  ...[1, 2, 3].map((i) => `2021-11-0${i}T00:00:00Z,203.0.113.1,root`),
  ...[1, 2, 3, 4, 5].map((i) => `2021-11-0${i}T01:00:00Z,203.0.113.99,admin`),
  '2021-11-01T02:00:00Z,198.51.100.2,root',
  '2021-12-01T00:00:00+09:00,192.0.2.1,root',
  '2021-12-02T00:00:00+09:00,192.0.2.1,root',
  // Q3: outside the quarter, must not count.
  ...[1, 2, 3, 4].map((i) => `2021-08-0${i}T00:00:00Z,198.51.100.1,root`),
];

export interface FixtureFiles {
  dir: string;
  manifest: string;
  q3: string;
  q4: string;
  honeypot: string;
}

export async function writeFixtureFiles(): Promise<FixtureFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'tsubame-fixture-'));
  const header = 'ts,sensor,src_ip,dst_port,proto';
  const files = {
    dir,
    manifest: join(dir, 'sensors.csv'),
    q3: join(dir, 'q3.csv'),
    q4: join(dir, 'q4.csv'),
    honeypot: join(dir, 'honeypot.csv'),
  };
  await writeFile(files.manifest, `${MANIFEST}\n`);
  await writeFile(files.q3, `${[header, ...renderRules(Q3_RULES, 2021, 6)].join('\n')}\n`);
  await writeFile(files.q4, `${[header, ...renderRules(Q4_RULES, 2021, 9)].join('\n')}\n`);
  await writeFile(files.honeypot, `${HONEYPOT_LINES.join('\n')}\n`);
  return files;
}
