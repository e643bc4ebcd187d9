/**
 * The seeded simulator: writes realistic observation data for a quarter and
 * its previous one (packet log CSV per quarter, the sensor manifest, and a
 * honeypot log for the surging service). The same seed gives the same bytes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatQuarter, formatQuarterSpan, previousQuarter, type Quarter } from '../aggregate/time.js';
import { BASE_MIX, DEMO_SENSORS, LONG_TAIL, POOL_SIZE, PORT_SHAPES, PREVIOUS_MIX, REGION_BLOCKS, SURGE_POOL_SIZE, type PortShape } from './model.js';
import { cumulate, Random } from './random.js';

export interface SimulateOptions {
  seed: number;
  /** The current quarter; its previous quarter is simulated too. */
  quarter: Quarter;
  timeZone: string;
  /** Multiplies every rate: 1 gives a few hundred packets per sensor per day. */
  scale: number;
}

/** The files the simulator wrote. */
export interface SimulatedFiles {
  manifest: string;
  /** Packet logs, previous quarter first. */
  packets: string[];
  /** Honeypot log of `honeypotName`. */
  honeypot: string;
  honeypotName: string;
  /** The surging port, to focus on. */
  focus: { port: number; proto: 'tcp' };
}

export const SURGING_PORT = { port: 6379, proto: 'tcp' as const };
export const HONEYPOT_NAME = 'redis-pot';

function ipv4ToInt(text: string): number {
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** `size` distinct addresses drawn from a region's blocks. */
function drawPool(random: Random, region: string, size: number): string[] {
  const blocks = REGION_BLOCKS[region]!;
  const pool = new Set<string>();
  while (pool.size < size) {
    const [base, length] = blocks[random.int(blocks.length)]!;
    const span = 2 ** (32 - length);
    // Skip network and broadcast-looking addresses.
    const offset = 1 + random.int(span - 2);
    pool.add(intToIpv4(ipv4ToInt(base) + offset));
  }
  return [...pool];
}

interface Mix {
  regions: string[];
  cumulative: number[];
}

function toMix(weights: Record<string, number>): Mix {
  const regions = Object.keys(weights).sort();
  return { regions, cumulative: cumulate(regions.map((r) => weights[r]!)) };
}

function rateOn(shape: PortShape, current: boolean, day: number, days: number): number {
  let rate = current ? shape.current : shape.previous;
  if (current && shape.surge !== undefined) {
    // A ramp whose mean over the quarter is the nominal rate.
    const end = (2 * shape.surge) / (1 + shape.surge);
    const start = 2 / (1 + shape.surge);
    rate *= start + ((end - start) * day) / (days - 1);
  }
  if (shape.campaigns && day % shape.campaigns.every < shape.campaigns.days) rate *= shape.campaigns.factor;
  return rate;
}

/** Simulates and writes the demo data into `dir`. */
export async function writeSimulatedData(dir: string, options: SimulateOptions): Promise<SimulatedFiles> {
  const random = new Random(options.seed);
  const regions = Object.keys(REGION_BLOCKS).sort();
  const pools = new Map(regions.map((region) => [region, drawPool(random, region, POOL_SIZE)]));
  const surgePool = drawPool(random, 'SG', SURGE_POOL_SIZE);
  const tailPorts: { port: number; weight: number }[] = [];
  const taken = new Set(PORT_SHAPES.map((s) => s.port));
  while (tailPorts.length < LONG_TAIL.ports) {
    const port = 1024 + random.int(64512);
    if (taken.has(port)) continue;
    taken.add(port);
    // Pareto-like weights: a few tail ports are much busier than the rest.
    tailPorts.push({ port, weight: 1 / (1 + tailPorts.length) });
  }
  const tailMix = cumulate(tailPorts.map((t) => t.weight));

  const manifestLines = ['sensor,country,address,active_from,active_to', ...DEMO_SENSORS.map((s) => `${s.name},${s.country},${s.address},,`)];
  const manifest = join(dir, 'sensors.csv');
  await writeFile(manifest, `${manifestLines.join('\n')}\n`);

  const quarters = [previousQuarter(options.quarter), options.quarter];
  const packetFiles: string[] = [];
  const honeypotLines: string[] = [];
  for (const [index, quarter] of quarters.entries()) {
    const current = index === 1;
    const span = formatQuarterSpan(quarter, options.timeZone);
    const days = span.days.length;
    const mix = toMix(current ? BASE_MIX : PREVIOUS_MIX);
    const lines = ['ts,sensor,src_ip,dst_port,proto'];
    const dayMs = (span.endMs - span.startMs) / days;
    for (let day = 0; day < days; day++) {
      const dayStart = span.startMs + day * dayMs;
      for (const sensor of DEMO_SENSORS) {
        if (current && sensor.silentFrom !== undefined && day >= sensor.silentFrom) continue;
        const scale = options.scale * sensor.weight;
        const emit = (port: number, proto: string, count: number, sourceOf: () => string) => {
          for (let i = 0; i < count; i++) {
            // Epoch seconds, as many sensors log them.
            const ts = Math.floor((dayStart + random.next() * dayMs) / 1000);
            lines.push(`${ts},${sensor.name},${sourceOf()},${port},${proto}`);
          }
        };
        for (const shape of PORT_SHAPES) {
          const count = random.poisson(rateOn(shape, current, day, days) * scale);
          const shapeMix = shape.mix ? toMix(shape.mix) : mix;
          emit(shape.port, shape.proto, count, () => {
            const region = shapeMix.regions[random.pick(shapeMix.cumulative)]!;
            const pool = shape.port === SURGING_PORT.port && region === 'SG' ? surgePool : pools.get(region)!;
            // Squaring skews towards the first addresses: a few sources send most packets.
            const u = random.next();
            return pool[Math.floor(u * u * pool.length)]!;
          });
        }
        const tailCount = random.poisson(LONG_TAIL.perSensorDay * scale);
        for (let i = 0; i < tailCount; i++) {
          const tail = tailPorts[random.pick(tailMix)]!;
          emit(tail.port, 'tcp', 1, () => pools.get(mix.regions[random.pick(mix.cumulative)]!)![random.int(POOL_SIZE)]!);
        }
      }
      // The honeypot emulating the surging service: most of its visitors also scan the sensors.
      const visitors = random.poisson((current ? 12 : 2) * (0.5 + day / days));
      for (let v = 0; v < visitors; v++) {
        const src = random.next() < 0.7 ? surgePool[random.int(SURGE_POOL_SIZE)]! : pools.get(regions[random.int(regions.length)]!)![random.int(POOL_SIZE)]!;
        const accesses = 1 + random.int(6);
        for (let a = 0; a < accesses; a++) {
          const ts = new Date(dayStart + Math.floor(random.next() * dayMs)).toISOString();
          honeypotLines.push(JSON.stringify({ ts, src_ip: src, command: a === 0 ? 'INFO' : 'CONFIG SET dir /tmp' }));
        }
      }
    }
    const file = join(dir, `packets-${formatQuarter(quarter)}.csv`);
    await writeFile(file, `${lines.join('\n')}\n`);
    packetFiles.push(file);
  }
  const honeypot = join(dir, `${HONEYPOT_NAME}.ndjson`);
  await writeFile(honeypot, `${honeypotLines.join('\n')}\n`);
  return { manifest, packets: packetFiles, honeypot, honeypotName: HONEYPOT_NAME, focus: SURGING_PORT };
}
