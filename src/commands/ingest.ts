/**
 * `tsubame-report ingest` and `ingest-honeypot`: thin parsers over runners
 * that take plain options and injected effects, so tests call the runners
 * without the CLI.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Command } from 'commander';
import { ReportError } from '../errors.js';
import type { IngestEffects, IngestSummary } from '../ingest/ingest.js';
import { DEFAULT_STORE_PATH } from '../paths.js';

export interface IngestCommandOptions {
  store?: string;
  sensors: string;
  sensor?: string;
  maxErrors?: number;
  geoip?: string;
  files: string[];
}

export interface HoneypotCommandOptions {
  store?: string;
  name: string;
  maxErrors?: number;
  files: string[];
}

/** The files to ingest: those named, and those found in folders among them. */
export interface InputFiles {
  files: string[];
  /** The files found in folders (not named on the command line). */
  found: Set<string>;
}

/**
 * The input files: each path named, with a folder standing for every file
 * under it (sub-folders too), in name order, hidden files left out. A folder
 * of a sensor's rotated logs can hold more files than a shell passes on one
 * command line.
 */
export async function expandInputPaths(paths: readonly string[]): Promise<InputFiles> {
  const input: InputFiles = { files: [], found: new Set() };
  for (const path of paths) {
    const stats = await stat(path).catch(() => null);
    // A path that cannot be read is passed on, to be reported by the reader with the others' results.
    if (!stats?.isDirectory()) {
      input.files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    const inside = entries
      .filter((e) => e.isFile() && !relative(path, join(e.parentPath ?? e.path, e.name)).split(sep).some((part) => part.startsWith('.')))
      .map((e) => join(e.parentPath ?? e.path, e.name))
      .sort();
    if (inside.length === 0) throw new ReportError('BAD_ARGUMENT', `The folder ${path} holds no files to ingest.`, { hint: 'Name the folder that holds the logs, or the log files themselves.' });
    input.files.push(...inside);
    for (const file of inside) input.found.add(file);
  }
  return input;
}

/**
 * The files to ingest, less those found in folders that are no logs of the
 * kind (a README, a checksum list, an empty file): each of these is named on
 * a line of its own. A file named on the command line is always kept, so
 * that the ingest says what is wrong with it.
 */
async function leaveOutNonLogs(input: InputFiles, kind: 'packets' | 'honeypot', log: (line: string) => void): Promise<string[]> {
  const [{ readInputHead }, { parseHoneypotFormat, parsePacketFormat }] = await Promise.all([import('../ingest/input.js'), import('../ingest/rows.js')]);
  const kept: string[] = [];
  for (const file of input.files) {
    if (!input.found.has(file)) {
      kept.push(file);
      continue;
    }
    let reason: string | null;
    if ((await stat(file)).size === 0) reason = 'it is empty';
    else {
      const head = await readInputHead(file);
      const capture = head.format === 'pcap' || head.format === 'pcapng';
      const text = capture ? null : (kind === 'packets' ? parsePacketFormat : parseHoneypotFormat)(head.format as 'csv' | 'ndjson', head.firstLine);
      if (kind === 'packets') reason = typeof text === 'string' ? `not a packet log (${text})` : null;
      else reason = capture ? 'a packet capture, not a honeypot log' : typeof text === 'string' ? `not a honeypot log (${text})` : null;
    }
    if (reason === null) kept.push(file);
    else log(`${file}: left out, ${reason}`);
  }
  if (kept.length === 0)
    throw new ReportError('BAD_ARGUMENT', `No ${kind === 'packets' ? 'packet' : 'honeypot'} logs among the files given.`, { hint: 'The lines above say why each file was left out.' });
  return kept;
}

/** Ingests packet files; logs the summary and returns it. */
export async function runIngest(options: IngestCommandOptions, effects: IngestEffects): Promise<IngestSummary> {
  if (options.files.length === 0) throw new ReportError('BAD_ARGUMENT', 'No input files given.', { hint: 'Name the packet logs or captures to ingest.' });
  const files = await leaveOutNonLogs(await expandInputPaths(options.files), 'packets', effects.log);
  // The store (DuckDB) and the readers load only when a command needs them, so that other commands start fast.
  const [{ readManifest }, { loadDefaultGeo, loadMmdbGeo }, { ingestPacketFiles }, { openStore }] = await Promise.all([
    import('../ingest/manifest.js'),
    import('../geo/geo.js'),
    import('../ingest/ingest.js'),
    import('../store/store.js'),
  ]);
  const manifest = await readManifest(options.sensors);
  const geo = options.geoip ? await loadMmdbGeo(options.geoip) : loadDefaultGeo();
  const store = await openStore(options.store ?? DEFAULT_STORE_PATH);
  try {
    const summary = await ingestPacketFiles(
      store,
      { files, manifest, sensor: options.sensor, maxErrors: options.maxErrors ?? 0, geo },
      effects,
    );
    for (const line of formatIngestSummary(summary)) effects.log(line);
    return summary;
  } finally {
    store.close();
  }
}

/** Ingests honeypot logs; logs the summary and returns it. */
export async function runIngestHoneypot(options: HoneypotCommandOptions, effects: IngestEffects): Promise<IngestSummary> {
  if (options.files.length === 0) throw new ReportError('BAD_ARGUMENT', 'No input files given.', { hint: 'Name the honeypot logs to ingest.' });
  const files = await leaveOutNonLogs(await expandInputPaths(options.files), 'honeypot', effects.log);
  const [{ ingestHoneypotFiles }, { openStore }] = await Promise.all([import('../ingest/ingest.js'), import('../store/store.js')]);
  const store = await openStore(options.store ?? DEFAULT_STORE_PATH);
  try {
    const summary = await ingestHoneypotFiles(store, { name: options.name, files, maxErrors: options.maxErrors ?? 0 }, effects);
    for (const line of formatIngestSummary(summary)) effects.log(line);
    return summary;
  } finally {
    store.close();
  }
}

/** The end-of-ingest summary: per file, then totals. Nothing is silently dropped. */
export function formatIngestSummary(summary: IngestSummary): string[] {
  const lines: string[] = [];
  const skippedText = (s: { fragment: number; nonIp: number; otherProtocol: number }) =>
    `skipped (no port) ${s.fragment + s.nonIp + s.otherProtocol}: fragment ${s.fragment}, non-IP ${s.nonIp}, other protocol ${s.otherProtocol}`;
  for (const file of summary.files) {
    if (file.status === 'duplicate') {
      lines.push(`${file.file}: duplicate (already ingested), nothing added`);
      continue;
    }
    lines.push(`${file.file} (${file.format}): read ${file.read}, accepted ${file.accepted}, rejected ${file.rejected}, ${skippedText(file.skipped)}`);
    for (const p of file.problems) lines.push(`  rejected ${p.file}:${p.unit === 'packet' ? `packet ${p.line}` : p.line}: ${p.reason}`);
    if (file.rejected > file.problems.length) lines.push(`  … and ${file.rejected - file.problems.length} more rejected`);
    if (file.truncated) lines.push(`  warning: cut off at ${file.truncated}; complete records kept`);
  }
  const t = summary.totals;
  lines.push(`total: read ${t.read} / accepted ${t.accepted} / rejected ${t.rejected} / duplicate ${t.duplicate} / ${skippedText(t.skipped)}`);
  return lines;
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new ReportError('BAD_ARGUMENT', `--max-errors ${value}: expected a whole number`);
  return Number(value);
}

/** Where terminalEffects writes: stderr, or a stand-in in tests. */
interface StatusStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Effects for a terminal: messages on stderr and, when stderr is a TTY, one
 * status line kept up to date: which file of how many is being read, with a
 * progress bar for a large one.
 */
export function terminalEffects(stream: StatusStream = process.stderr): IngestEffects {
  const tty = stream.isTTY === true;
  let shown = '';
  let position = '';
  const show = (text: string) => {
    if (text !== shown) stream.write(`\r\x1b[K${text}`);
    shown = text;
  };
  return {
    log: (line) => {
      if (shown) stream.write('\r\x1b[K');
      shown = '';
      stream.write(`${line}\n`);
    },
    clock: () => new Date(),
    fileStarted: tty
      ? (file, index, count) => {
          position = count > 1 ? `[${index}/${count}] ` : '';
          if (count > 1) show(`${position}${file}`);
        }
      : undefined,
    progress: tty
      ? (file, bytes, total) => {
          if (total < 8 << 20) return;
          const fraction = Math.min(1, bytes / total);
          const width = 30;
          const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
          show(`${position}${file} [${bar}] ${(fraction * 100).toFixed(0)}%`);
        }
      : undefined,
  };
}

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('Ingest packet logs (CSV, NDJSON, Shadowserver darknet CSV, pcap, pcapng; optionally .gz) into the store.')
    .argument('<files...>', 'input files, or folders: every file in them (hidden ones left out)')
    .requiredOption('--sensors <file>', 'sensor manifest CSV: sensor,country[,address][,active_from][,active_to]')
    .option('--store <path>', 'DuckDB store', DEFAULT_STORE_PATH)
    .option('--sensor <id>', 'attribute every packet to this sensor (for inputs that do not name it)')
    .option('--max-errors <n>', 'most rejected rows accepted before the ingest fails', parseCount, 0)
    .option('--geoip <file>', 'MaxMind-format .mmdb country database instead of the embedded one')
    .action(async (files: string[], opts: { sensors: string; store: string; sensor?: string; maxErrors: number; geoip?: string }) => {
      await runIngest({ ...opts, files }, terminalEffects());
    });
  program
    .command('ingest-honeypot')
    .description('Ingest honeypot logs (NDJSON or CSV with ts and src_ip) for the honeypot NAME.')
    .argument('<files...>', 'honeypot logs, or folders: every file in them (hidden ones left out)')
    .requiredOption('--name <name>', 'honeypot name, as the quarter configuration refers to it')
    .option('--store <path>', 'DuckDB store', DEFAULT_STORE_PATH)
    .option('--max-errors <n>', 'most rejected rows accepted before the ingest fails', parseCount, 0)
    .action(async (files: string[], opts: { name: string; store: string; maxErrors: number }) => {
      await runIngestHoneypot({ ...opts, files }, terminalEffects());
    });
}
