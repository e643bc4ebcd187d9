/**
 * The demo's world: sensors, source regions with real allocated address
 * blocks (so that geolocation gives real answers), and per-port traffic
 * shapes for a quarter and its previous one. The shapes are chosen so that
 * the current quarter shows every case of the previous-rank column: a swap
 * (22/TCP passes 80/TCP), a new entry (6379/TCP surging, mostly from
 * Singapore), and rows outside the previous top 10.
 */

export interface DemoSensor {
  name: string;
  country: string;
  address: string;
  /** Traffic multiplier of this sensor. */
  weight: number;
  /** Day index (in the current quarter) from which it goes silent, if it does. */
  silentFrom?: number;
}

export const DEMO_SENSORS: DemoSensor[] = [
  { name: 'jp-tyo-01', country: 'JP', address: '203.0.113.11', weight: 1.0 },
  { name: 'jp-tyo-02', country: 'JP', address: '203.0.113.12', weight: 1.2 },
  { name: 'jp-osa-01', country: 'JP', address: '203.0.113.21', weight: 0.9 },
  { name: 'jp-osa-02', country: 'JP', address: '203.0.113.22', weight: 1.1 },
  { name: 'jp-fuk-01', country: 'JP', address: '203.0.113.31', weight: 0.8 },
  { name: 'jp-spk-01', country: 'JP', address: '203.0.113.41', weight: 1.0 },
  { name: 'jp-sdj-01', country: 'JP', address: '203.0.113.51', weight: 1.3, silentFrom: 50 },
  { name: 'us-sjc-01', country: 'US', address: '198.51.100.11', weight: 1.4 },
  { name: 'de-fra-01', country: 'DE', address: '198.51.100.21', weight: 1.2 },
];

/** Address blocks (first address, prefix length) checked against GeoLite2-Country. */
export const REGION_BLOCKS: Record<string, [string, number][]> = {
  CN: [['218.92.0.0', 18], ['61.177.172.0', 22], ['222.186.0.0', 18]],
  US: [['167.94.138.0', 24], ['198.199.64.0', 20], ['45.33.0.0', 20]],
  RU: [['45.141.84.0', 22]],
  NL: [['89.248.160.0', 21]],
  SG: [['159.89.192.0', 20], ['139.59.96.0', 20]],
  KR: [['211.234.0.0', 18], ['121.128.0.0', 18]],
  BR: [['177.0.0.0', 16], ['187.0.0.0', 16]],
  IN: [['117.200.0.0', 16]],
  TW: [['114.32.0.0', 16], ['1.160.0.0', 16]],
  DE: [['46.4.0.0', 16]],
  GB: [['51.140.0.0', 16]],
  VN: [['14.160.0.0', 16]],
  HK: [['119.236.0.0', 16]],
};

/** Everyday source mix by region. */
export const BASE_MIX: Record<string, number> = {
  CN: 24, US: 21, RU: 8, NL: 7, KR: 6, BR: 6, IN: 6, TW: 5, DE: 5, GB: 5, VN: 4, HK: 3, SG: 1,
};

/** The previous quarter's mix: the US ahead of China, the UK behind Russia. */
export const PREVIOUS_MIX: Record<string, number> = {
  CN: 19, US: 24, RU: 8, NL: 7, KR: 6, BR: 6, IN: 6, TW: 5, DE: 5, GB: 3, VN: 4, HK: 3, SG: 1,
};

export interface PortShape {
  port: number;
  proto: 'tcp' | 'udp' | 'icmp';
  /** Mean packets per sensor per day, in the previous and the current quarter. */
  previous: number;
  current: number;
  /** Multiplier at the end of the quarter relative to its start (a ramp). */
  surge?: number;
  /** Source mix overriding the everyday one. */
  mix?: Record<string, number>;
  /** Short bursts: every `every` days, `days` days at `factor` times the rate. */
  campaigns?: { every: number; days: number; factor: number };
}

export const PORT_SHAPES: PortShape[] = [
  { port: 23, proto: 'tcp', previous: 55, current: 50, campaigns: { every: 13, days: 2, factor: 4 } },
  { port: 6379, proto: 'tcp', previous: 1.5, current: 40, surge: 2.2, mix: { SG: 85, CN: 6, US: 5, DE: 4 } },
  { port: 445, proto: 'tcp', previous: 40, current: 36 },
  { port: 22, proto: 'tcp', previous: 24, current: 30 },
  { port: 80, proto: 'tcp', previous: 28, current: 22 },
  { port: 8, proto: 'icmp', previous: 18, current: 17 },
  { port: 3389, proto: 'tcp', previous: 14, current: 14 },
  { port: 443, proto: 'tcp', previous: 10, current: 11 },
  { port: 53, proto: 'udp', previous: 9, current: 9 },
  { port: 8080, proto: 'tcp', previous: 8, current: 8 },
  { port: 1433, proto: 'tcp', previous: 11, current: 6 },
  { port: 123, proto: 'udp', previous: 5, current: 5 },
  { port: 161, proto: 'udp', previous: 4, current: 4 },
  { port: 5060, proto: 'udp', previous: 3, current: 3 },
];

/** Long tail: this many random ports sharing this many packets per sensor per day. */
export const LONG_TAIL = { ports: 150, perSensorDay: 12 };

/** Sources per region, and for the surging port's main region. */
export const POOL_SIZE = 120;
export const SURGE_POOL_SIZE = 300;
