/**
 * The statistics contract: one quarter's figures, everything the report shows.
 *
 * `QuarterStats` is produced by the aggregation stage (or read from a JSON
 * file) and consumed by the report. This module is the single source of the
 * contract: the TypeScript types are derived from the schema, and
 * `schema/quarter-stats.schema.json` is generated from it (`npm run schema`).
 * Definitions of every figure follow DOMAIN.md.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Version of this contract. Bump it when a field changes meaning or a required field is added. */
export const STATS_SCHEMA_VERSION = 1;

const nullable = <T extends TSchema>(schema: T, description: string) =>
  Type.Union([schema, Type.Null()], { description });

const LocalDate = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'A calendar date in the report time zone, YYYY-MM-DD.',
});

const QuarterId = Type.String({
  pattern: '^\\d{4}Q[1-4]$',
  description: 'A calendar quarter, e.g. 2021Q4.',
});

export const Protocol = Type.Union(
  [Type.Literal('tcp'), Type.Literal('udp'), Type.Literal('icmp'), Type.Literal('icmpv6')],
  { description: 'Transport protocol. For ICMP and ICMPv6 the port field holds the message type.' },
);

const RegionCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 code of the source region; ZZ when it cannot be placed.',
});

const Rank = Type.Integer({ minimum: 1, maximum: 10, description: 'Rank in this quarter, 1–10.' });

export const PreviousRank = Type.Union(
  [
    Type.Integer({ minimum: 1, maximum: 10 }),
    Type.Literal('outside'),
    Type.Literal('unknown'),
  ],
  {
    description:
      'Rank in the previous quarter: 1–10; "outside" when that quarter had data but the key was not in its top 10; "unknown" when the previous quarter has no data.',
  },
);

export const DailyPoint = Type.Object(
  {
    date: LocalDate,
    value: nullable(
      Type.Number({ minimum: 0 }),
      'Packets per active sensor that day; null when no sensor of the group was active.',
    ),
    packets: Type.Integer({ minimum: 0, description: 'Packets the group recorded that day.' }),
    sensors: Type.Integer({ minimum: 0, description: 'Active sensors of the group that day.' }),
  },
  { additionalProperties: false, description: 'One day of a daily series.' },
);

const Growth = nullable(
  Type.Number({ minimum: 0 }),
  'Mean daily value of the last window ÷ mean of the first window; null when the first window mean is 0.',
);

const rankedFields = {
  rank: Rank,
  value: Type.Number({
    minimum: 0,
    description: 'Quarterly value: mean of the daily packets-per-active-sensor values.',
  }),
  packets: Type.Integer({ minimum: 0, description: 'Total packets in the quarter.' }),
  previousRank: PreviousRank,
  growth: Type.Optional(Growth),
  daily: Type.Optional(
    Type.Array(DailyPoint, { description: 'Daily series; present for the top 5.' }),
  ),
};

export const PortKey = {
  port: Type.Integer({
    minimum: 0,
    maximum: 65535,
    description: 'Destination port, or the ICMP/ICMPv6 type.',
  }),
  proto: Protocol,
};

export const RankedPort = Type.Object(
  {
    ...PortKey,
    service: nullable(
      Type.String({ minLength: 1 }),
      'IANA service name for the port and protocol, null when IANA has none.',
    ),
    ...rankedFields,
  },
  { additionalProperties: false },
);

export const RankedRegion = Type.Object(
  {
    region: RegionCode,
    ...rankedFields,
    mainPort: Type.Optional(
      Type.Object(PortKey, {
        additionalProperties: false,
        description: 'The port that received most of this region’s packets in the quarter.',
      }),
    ),
  },
  { additionalProperties: false },
);

const Share = Type.Number({ minimum: 0, maximum: 1, description: 'A fraction between 0 and 1.' });

export const FocusSection = Type.Object(
  {
    id: Type.String({
      pattern: '^[a-z0-9-]+$',
      description: 'Stable id, used for the commentary keys, e.g. 6379-tcp.',
    }),
    ...PortKey,
    service: nullable(Type.String({ minLength: 1 }), 'IANA service name, or null.'),
    packets: Type.Integer({ minimum: 0, description: 'Packets to the port in the quarter.' }),
    value: Type.Number({ minimum: 0, description: 'Quarterly packets per sensor per day.' }),
    growth: Growth,
    daily: Type.Array(DailyPoint),
    regionShares: Type.Array(
      Type.Object(
        {
          region: RegionCode,
          packets: Type.Integer({ minimum: 0 }),
          share: Share,
          growth: Growth,
        },
        { additionalProperties: false },
      ),
      { description: 'Share of the port’s packets by source region, largest first.' },
    ),
    regionSeries: Type.Array(
      Type.Object(
        { region: RegionCode, daily: Type.Array(DailyPoint) },
        { additionalProperties: false },
      ),
      { maxItems: 5, description: 'Daily series of the top 5 regions for this port.' },
    ),
    sourceShares: Type.Array(
      Type.Object(
        {
          region: RegionCode,
          sources: Type.Integer({ minimum: 0 }),
          share: Share,
          previousShare: nullable(Share, 'The same share in the previous quarter, null if unknown.'),
        },
        { additionalProperties: false },
      ),
      { description: 'Share of the port’s distinct source addresses by region, largest first.' },
    ),
    distinctSources: Type.Object(
      {
        current: Type.Integer({ minimum: 0 }),
        previous: nullable(Type.Integer({ minimum: 0 }), 'Null when the previous quarter has no data.'),
      },
      { additionalProperties: false },
    ),
    honeypot: nullable(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          threshold: Type.Integer({ minimum: 1, description: 'N: minimum accesses to count a source.' }),
          sources: Type.Integer({ minimum: 0, description: '|H|: honeypot sources with ≥ N accesses.' }),
          overlap: Type.Integer({ minimum: 0, description: '|H ∩ T|.' }),
          share: nullable(Share, '|H ∩ T| / |H|; null when H is empty.'),
        },
        { additionalProperties: false },
      ),
      'Overlap with a honeypot emulating the service; null when none is linked.',
    ),
  },
  { additionalProperties: false, description: 'A "notable phenomena" section.' },
);

export const MonthlyComparison = Type.Object(
  {
    months: Type.Array(
      Type.Object(
        {
          month: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
          domestic: nullable(Type.Number({ minimum: 0 }), 'Mean packets per sensor per day.'),
          overseas: nullable(Type.Number({ minimum: 0 }), 'Mean packets per sensor per day.'),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    overseasSensorCount: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, description: 'Domestic vs overseas sensors, monthly.' },
);

export const SensorChange = Type.Object(
  {
    sensor: Type.String({ minLength: 1 }),
    kind: Type.Union([Type.Literal('appeared'), Type.Literal('silent')]),
    date: LocalDate,
  },
  {
    additionalProperties: false,
    description: 'A sensor that started or stopped reporting within the quarter.',
  },
);

export const Provenance = Type.Object(
  {
    generatedAt: Type.String({ format: 'date-time', description: 'When the statistics were made.' }),
    generator: Type.String({ description: 'Program and version that made them.' }),
    geoip: Type.Object(
      {
        name: Type.String({ description: 'GeoIP database, e.g. geoip-country (GeoLite2-Country).' }),
        date: LocalDate,
      },
      { additionalProperties: false },
    ),
    serviceNames: Type.Object(
      {
        source: Type.String({ description: 'Where the service names come from.' }),
        version: Type.String(),
      },
      { additionalProperties: false },
    ),
    inputs: Type.Array(
      Type.Object(
        {
          file: Type.String(),
          sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
          packets: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
    ),
    skipped: Type.Object(
      {
        fragment: Type.Integer({ minimum: 0, description: 'Non-first IP fragments.' }),
        nonIp: Type.Integer({ minimum: 0, description: 'Frames that are not IP, such as ARP.' }),
        otherProtocol: Type.Integer({ minimum: 0, description: 'IP protocols other than TCP, UDP, ICMP, ICMPv6.' }),
        outsideActive: Type.Integer({
          minimum: 0,
          description: 'Packets recorded on days outside the sensor’s active range.',
        }),
      },
      { additionalProperties: false, description: 'Packets without a destination port, by kind.' },
    ),
    fixture: Type.Optional(
      Type.String({ description: 'Set on hand-made statistics: says what the fixture is for.' }),
    ),
  },
  { additionalProperties: false },
);

export const QuarterStatsSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    schemaVersion: Type.Literal(STATS_SCHEMA_VERSION),
    quarter: QuarterId,
    period: Type.Object(
      {
        start: LocalDate,
        end: { ...LocalDate, description: 'Last day of the quarter (inclusive).' },
        timeZone: Type.String({ minLength: 1, description: 'IANA time zone, e.g. Asia/Tokyo.' }),
      },
      { additionalProperties: false },
    ),
    previousQuarter: Type.Object(
      {
        quarter: QuarterId,
        available: Type.Boolean({ description: 'Whether the store held data for it.' }),
      },
      { additionalProperties: false },
    ),
    group: Type.Object(
      {
        country: RegionCode,
        sensorCount: Type.Integer({ minimum: 0, description: 'Sensors of the group active in the quarter.' }),
        sensorChanges: Type.Array(SensorChange),
      },
      { additionalProperties: false, description: 'The domestic sensor group the tables use.' },
    ),
    metric: Type.Object(
      {
        id: Type.Literal('packets_per_sensor_per_day'),
        growthWindowDays: Type.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
    ports: Type.Array(RankedPort, { maxItems: 10, description: 'Top 10 port keys, by rank.' }),
    regions: Type.Array(RankedRegion, { maxItems: 10, description: 'Top 10 source regions, by rank.' }),
    focus: Type.Array(FocusSection),
    domesticOverseas: Type.Optional(MonthlyComparison),
    provenance: Provenance,
  },
  { additionalProperties: false, $id: 'https://tsubame-report/quarter-stats.schema.json', title: 'QuarterStats' },
);

export type QuarterStats = Static<typeof QuarterStatsSchema>;
export type DailyPoint = Static<typeof DailyPoint>;
export type RankedPort = Static<typeof RankedPort>;
export type RankedRegion = Static<typeof RankedRegion>;
export type FocusSection = Static<typeof FocusSection>;
export type PreviousRank = Static<typeof PreviousRank>;
export type Protocol = Static<typeof Protocol>;
export type MonthlyComparison = Static<typeof MonthlyComparison>;
export type SensorChange = Static<typeof SensorChange>;
