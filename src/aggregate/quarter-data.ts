/**
 * `QuarterData`: what the store hands the aggregation for one quarter. Only
 * integer counts, grouped small (by day, port, region); every ratio and rank
 * is computed from them by the pure `aggregateQuarter`, in a fixed order, so
 * the same data always gives the same bytes.
 */
import type { Protocol } from '../stats/schema.js';

export interface SensorInfo {
  name: string;
  country: string;
  /** Whether the manifest gives active_from or active_to. */
  ranged: boolean;
  activeFrom: string | null;
  activeTo: string | null;
}

export interface PortDay {
  port: number;
  proto: Protocol;
  day: number;
  packets: number;
}

export interface RegionDay {
  region: string;
  day: number;
  packets: number;
}

export interface FocusData {
  port: number;
  proto: Protocol;
  /** Packets to the port by region and day (domestic group, active days). */
  regionDaily: RegionDay[];
  /** Distinct source addresses to the port, by region. */
  sourcesByRegion: { region: string; sources: number }[];
  distinctSources: number;
  honeypot: { name: string; threshold: number; sources: number; overlap: number } | null;
}

export interface QuarterData {
  quarter: string;
  timeZone: string;
  /** Local dates of the quarter; `day` fields index into it. */
  days: string[];
  sensors: SensorInfo[];
  /** Every accepted packet per sensor and day, and how many fell in its active range. */
  sensorDays: { sensor: string; day: number; packets: number; inRange: number }[];
  /** Domestic group, active days only. */
  portDaily: PortDay[];
  /** Domestic group, active days only. */
  regionDaily: RegionDay[];
  /** Each region's port with most packets (domestic group, active days). */
  regionMainPort: { region: string; port: number; proto: Protocol }[];
  focus: FocusData[];
  inputs: { file: string; sha256: string; packets: number; skipped: { fragment: number; nonIp: number; otherProtocol: number } }[];
  /** GeoIP database that placed most of the quarter's packets, if any. */
  geoip: { name: string; date: string } | null;
}
