/**
 * Ingest benchmark: CSV and pcap of the same packets → store → one quarter's
 * statistics, at 1M and at N packets (default 10M), against a floor measured
 * in the same run: DuckDB itself running the equivalent GROUP BY straight
 * over the same CSV. The timed steps are the `ingest` and `stats` commands'
 * runners from the compiled bundle, with their defaults: what a user waits for.
 *
 *   node --import tsx bench/ingest.ts [--packets N]
 *
 * Peak RSS is the process's high-water mark (getrusage), so each figure
 * includes every earlier step of the run.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { REGION_BLOCKS } from '../src/simulate/model.js';
import { openStore } from '../src/store/store.js';
import { cumulate, Random } from '../src/simulate/random.js';

// The timed steps run the commands' own runners from the compiled bundle (npm run bench builds
// it first): what `tsubame-report ingest` and `tsubame-report stats` run, with their defaults.
const dist = (path: string) => new URL(`../dist/bundle/${path}`, import.meta.url).href;
const { runIngest } = (await import(dist('ingest-command.js'))) as typeof import('../src/commands/ingest.js');
const { runStats } = (await import(dist('stats-command.js'))) as typeof import('../src/commands/stats.js');

const SENSORS = Array.from({ length: 8 }, (_, i) => ({ name: `s${i + 1}`, address: `203.0.113.${i + 1}` }));
export const MANIFEST = `sensor,country,address\n${SENSORS.map((s) => `${s.name},JP,${s.address}`).join('\n')}\n`;
const START = Date.UTC(2021, 8, 30, 15); // 2021-10-01T00:00+09:00
const SPAN = 92 * 86_400_000;

interface Packet {
  ts: number;
  sensor: number;
  src: number;
  port: number;
  proto: number;
}

/** Streams `count` packets in time order: Zipf-like ports, 100k sources in real blocks. */
function* generatePackets(count: number): Generator<Packet> {
  const random = new Random(7);
  const blocks = Object.values(REGION_BLOCKS).flat();
  const sources = Array.from({ length: 100_000 }, () => {
    const [base, length] = blocks[random.int(blocks.length)]!;
    const value = base.split('.').reduce((a, p) => a * 256 + Number(p), 0);
    return value + 1 + random.int(2 ** (32 - length) - 2);
  });
  const ports = Array.from({ length: 2000 }, (_, i) => (i < 20 ? [23, 6379, 445, 22, 80, 8, 3389, 443, 53, 8080, 1433, 123, 161, 5060, 21, 25, 110, 139, 5900, 8443][i]! : 1024 + random.int(64000)));
  const portWeights = cumulate(ports.map((_, i) => 1 / (i + 1)));
  for (let i = 0; i < count; i++) {
    const p = random.pick(portWeights);
    const port = ports[p]!;
    const proto = port === 8 ? 2 : port === 53 || port === 123 || port === 161 || port === 5060 ? 1 : 0;
    const u = random.next();
    yield { ts: START + Math.floor((i / count) * SPAN), sensor: random.int(SENSORS.length), src: sources[Math.floor(u * u * sources.length)]!, port, proto };
  }
}

const PROTO = ['tcp', 'udp', 'icmp'];
const ip = (v: number) => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;

export async function writeInputs(dir: string, count: number): Promise<{ csv: string; pcap: string }> {
  const csv = join(dir, `packets-${count}.csv`);
  const pcap = join(dir, `packets-${count}.pcap`);
  const csvOut = createWriteStream(csv);
  const pcapOut = createWriteStream(pcap);
  csvOut.write('ts,sensor,src_ip,dst_port,proto\n');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  pcapOut.write(header);
  let csvBatch: string[] = [];
  let frames: Buffer[] = [];
  const drain = async () => {
    csvOut.write(csvBatch.join(''));
    pcapOut.write(Buffer.concat(frames));
    csvBatch = [];
    frames = [];
    // Check each stream after the other has drained: one may drain while awaiting the other.
    if (csvOut.writableNeedDrain) await new Promise<void>((r) => csvOut.once('drain', r));
    if (pcapOut.writableNeedDrain) await new Promise<void>((r) => pcapOut.once('drain', r));
  };
  for (const p of generatePackets(count)) {
    csvBatch.push(`${p.ts / 1000},${SENSORS[p.sensor]!.name},${ip(p.src)},${p.port},${PROTO[p.proto]}\n`);
    // Ethernet + IPv4 + 8 bytes of TCP/UDP/ICMP header: enough for the port or type.
    const frame = Buffer.alloc(16 + 14 + 20 + 8);
    frame.writeUInt32LE(Math.floor(p.ts / 1000), 0);
    frame.writeUInt32LE((p.ts % 1000) * 1000, 4);
    frame.writeUInt32LE(42, 8);
    frame.writeUInt32LE(42, 12);
    frame.writeUInt16BE(0x0800, 16 + 12);
    const ipAt = 30;
    frame[ipAt] = 0x45;
    frame.writeUInt16BE(28, ipAt + 2);
    frame[ipAt + 8] = 64;
    frame[ipAt + 9] = p.proto === 0 ? 6 : p.proto === 1 ? 17 : 1;
    frame.writeUInt32BE(p.src, ipAt + 12);
    frame.writeUInt32BE(0xcb007100 + p.sensor + 1, ipAt + 16);
    if (p.proto === 2) frame[ipAt + 20] = p.port;
    else frame.writeUInt16BE(p.port, ipAt + 22);
    frames.push(frame);
    if (csvBatch.length === 65536) await drain();
  }
  await drain();
  await Promise.all([new Promise<void>((r) => csvOut.end(r)), new Promise<void>((r) => pcapOut.end(r))]);
  return { csv, pcap };
}

const peakMb = () => process.resourceUsage().maxRSS / 1024;

interface Timing {
  /** Open, ingest and commit, seconds. */
  ingest: number;
  /** Aggregate the quarter, seconds. */
  stats: number;
  total: number;
  /** CPU time of the whole process (every thread) over `total`, seconds: on cores shared with other work, steadier than wall time. */
  cpu: number;
  /** CPU time of the whole process over `ingest` alone, seconds. */
  ingestCpu: number;
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

async function timeIngestAndStats(dir: string, file: string | string[], manifestPath: string, configPath: string): Promise<Timing> {
  const storePath = join(dir, `store-${Date.now()}.duckdb`);
  const effects = { log: () => {}, clock: () => new Date() };
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  await runIngest({ files: [file].flat(), sensors: manifestPath, store: storePath }, effects);
  const ingested = performance.now();
  const ingestCpu = cpuSeconds(cpuStart);
  await runStats({ quarter: '2021Q4', store: storePath, config: configPath }, effects);
  const done = performance.now();
  const cpu = cpuSeconds(cpuStart);
  await rm(storePath, { force: true });
  await rm(`${storePath}.wal`, { force: true });
  return { ingest: (ingested - started) / 1000, stats: (done - ingested) / 1000, total: (done - started) / 1000, cpu, ingestCpu };
}

async function timeFloor(csv: string | string[]): Promise<{ wall: number; cpu: number }> {
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: '512MB' });
  const connection = await instance.connect();
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  await connection.runAndReadAll(
    `SELECT sensor, CAST(floor((ts * 1000 + 32400000) / 86400000) AS INTEGER) AS day, dst_port, proto, count(*) AS packets
     FROM read_csv([${[csv].flat().map((f) => `'${f.replace(/'/g, "''")}'`).join(', ')}], header = true) GROUP BY ALL`,
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(cpuStart);
  connection.closeSync();
  instance.closeSync();
  return { wall: seconds, cpu };
}

/**
 * Two steps any ingest of this CSV must take, each timed as DuckDB alone does
 * it at its fastest, to show how far down the CSV figure can go:
 *   - store: every row parsed (typed read_csv, no checks) and written to the
 *     store's packets table, committed to a store file, with no source keys
 *     or regions (constants);
 *   - sources: the file's distinct source addresses (GROUP BY src_ip), which
 *     keys and regions need, whether found in a pass of their own or per row.
 */
async function timeLowerBounds(dir: string, csv: string): Promise<{ store: number; sources: number }> {
  const path = join(dir, `lower-bound-${Date.now()}.duckdb`);
  const store = await openStore(path);
  const q = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const columns = `{'ts': 'DOUBLE', 'sensor': ${q(`ENUM(${SENSORS.map((s) => q(s.name)).join(', ')})`)}, 'src_ip': 'VARCHAR', 'dst_port': 'USMALLINT', 'proto': ${q("ENUM('tcp', 'udp', 'icmp', 'icmpv6')")}}`;
  const read = `read_csv(${q(csv)}, header = true, auto_detect = false, columns = ${columns})`;
  try {
    const started = performance.now();
    await store.connection.run('BEGIN TRANSACTION');
    await store.connection.run(`INSERT INTO packets SELECT ts * 1000, enum_code(sensor), 0, dst_port, enum_code(proto), 0, 1 FROM ${read}`);
    await store.connection.run('COMMIT');
    const stored = performance.now();
    await store.connection.runAndReadAll(`SELECT src_ip, count(*) FROM ${read} GROUP BY 1`);
    return { store: (stored - started) / 1000, sources: (performance.now() - stored) / 1000 };
  } finally {
    store.close();
    await rm(path, { force: true });
    await rm(`${path}.wal`, { force: true });
  }
}

/**
 * The CSV and the capture cut into `parts` files each, as sensors that rotate
 * their logs write them: what a file costs beyond its packets.
 */
async function splitInputs(dir: string, csv: string, pcap: string, parts: number): Promise<{ csvs: string[]; pcaps: string[] }> {
  const lines = (await readFile(csv, 'utf8')).split('\n');
  const header = lines.shift()!;
  if (lines.at(-1) === '') lines.pop();
  const capture = await readFile(pcap);
  const records: Buffer[] = [];
  for (let at = 24; at < capture.length; at += 16 + capture.readUInt32LE(at + 8)) records.push(capture.subarray(at, at + 16 + capture.readUInt32LE(at + 8)));
  const csvs: string[] = [];
  const pcaps: string[] = [];
  const per = Math.ceil(lines.length / parts);
  for (let i = 0; i < parts; i++) {
    const name = join(dir, `part-${String(i).padStart(4, '0')}`);
    await writeFile(`${name}.csv`, `${header}\n${lines.slice(i * per, (i + 1) * per).join('\n')}\n`);
    await writeFile(`${name}.pcap`, Buffer.concat([capture.subarray(0, 24), ...records.slice(i * per, (i + 1) * per)]));
    csvs.push(`${name}.csv`);
    pcaps.push(`${name}.pcap`);
  }
  return { csvs, pcaps };
}

/** Runs the benchmark and prints its figures. */
export async function benchIngest(packets = 10_000_000): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tsubame-bench-'));
  const manifestPath = join(dir, 'sensors.csv');
  await writeFile(manifestPath, MANIFEST);
  const configPath = join(dir, '2021Q4.json');
  await writeFile(configPath, JSON.stringify({ focus: [{ port: 6379, proto: 'tcp' }] }));
  try {
    const sizes = [...new Set([Math.min(1_000_000, packets), packets])];
    const rows: string[] = [];
    for (const size of sizes) {
      const { csv, pcap } = await writeInputs(dir, size);
      const csvMb = (await stat(csv)).size / 2 ** 20;
      const { wall: floor, cpu: floorCpu } = await timeFloor(csv);
      const bounds = await timeLowerBounds(dir, csv);
      const csvTime = await timeIngestAndStats(dir, csv, manifestPath, configPath);
      const csvPeak = peakMb();
      const pcapTime = await timeIngestAndStats(dir, pcap, manifestPath, configPath);
      const pcapPeak = peakMb();
      const rate = (s: number) => `${(size / s / 1e6).toFixed(2)} M packets/s`;
      const split = (t: Timing) => `(ingest ${t.ingest.toFixed(2)} s at ${rate(t.ingest)}, stats ${t.stats.toFixed(2)} s)`;
      rows.push(
        `${size.toLocaleString('en')} packets (CSV ${csvMb.toFixed(0)} MiB):`,
        `  floor (DuckDB GROUP BY over the CSV): ${floor.toFixed(2)} s, ${rate(floor)} (CPU ${floorCpu.toFixed(2)} s)`,
        `  CSV ingest + stats:  ${csvTime.total.toFixed(2)} s, ${(csvTime.total / floor).toFixed(1)}× floor (target ≤ 2×) ${split(csvTime)}, peak RSS ${csvPeak.toFixed(0)} MiB`,
        `    CPU ${csvTime.cpu.toFixed(2)} s, ${(csvTime.cpu / floorCpu).toFixed(1)}× the floor's CPU`,
        `    steps DuckDB alone takes: storing the rows (typed read_csv → INSERT, no checks, no keys) ${bounds.store.toFixed(2)} s = ${(bounds.store / floor).toFixed(1)}×, ` +
          `distinct sources (GROUP BY src_ip) ${bounds.sources.toFixed(2)} s = ${(bounds.sources / floor).toFixed(1)}×; ` +
          `with this run's stats, ${(bounds.store + bounds.sources + csvTime.stats).toFixed(2)} s = ${((bounds.store + bounds.sources + csvTime.stats) / floor).toFixed(1)}× floor`,
        `  pcap ingest + stats: ${pcapTime.total.toFixed(2)} s, ${rate(pcapTime.total)} (target ≥ 5) ${split(pcapTime)}, peak RSS ${pcapPeak.toFixed(0)} MiB (target < 1024)`,
        // Capture ingest keeps both cores busy (a reading thread and DuckDB's): its CPU time shows how much of the wall time is the machine's limit.
        `    pcap ingest CPU ${pcapTime.ingestCpu.toFixed(2)} s over ${pcapTime.ingest.toFixed(2)} s`,
      );
      console.log(rows.slice(-7).join('\n'));
      await rm(csv, { force: true });
      await rm(pcap, { force: true });
    }
    // Last, so that its memory (the inputs cut in memory) is in no figure above.
    const size = sizes[0]!;
    const { csv, pcap } = await writeInputs(dir, size);
    const [{ ingest: csvOne }, { ingest: pcapOne }] = [await timeIngestAndStats(dir, csv, manifestPath, configPath), await timeIngestAndStats(dir, pcap, manifestPath, configPath)];
    const parts = 200;
    const { csvs, pcaps } = await splitInputs(dir, csv, pcap, parts);
    const { wall: manyFloor } = await timeFloor(csvs);
    const csvMany = await timeIngestAndStats(dir, csvs, manifestPath, configPath);
    const pcapMany = await timeIngestAndStats(dir, pcaps, manifestPath, configPath);
    const perFile = (t: Timing, one: number) => `${(((t.ingest - one) / parts) * 1000).toFixed(0)} ms a file more than in one file`;
    console.log(
      [
        `the same ${size.toLocaleString('en')} packets in ${parts} files of each kind (a sensor's rotated logs):`,
        `  floor (DuckDB GROUP BY over the ${parts} CSVs): ${manyFloor.toFixed(2)} s`,
        `  CSV ingest + stats:  ${csvMany.total.toFixed(2)} s, ${(csvMany.total / manyFloor).toFixed(1)}× floor (ingest ${csvMany.ingest.toFixed(2)} s: ${perFile(csvMany, csvOne)})`,
        `  pcap ingest + stats: ${pcapMany.total.toFixed(2)} s (ingest ${pcapMany.ingest.toFixed(2)} s: ${perFile(pcapMany, pcapOne)})`,
      ].join('\n'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--packets');
  await benchIngest(at > 0 ? Number(process.argv[at + 1]) : undefined);
}
