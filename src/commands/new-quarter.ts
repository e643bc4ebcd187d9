/**
 * `tsubame-report new-quarter 2022Q1`: scaffolds a quarter for the staff —
 * its config (quarters/<quarter>.json: publication, focus sections, honeypots,
 * thresholds) and its commentary namespace in every language
 * (locales/<lang>/<quarter>.json, with empty commentary keys to fill in).
 * Existing files are never overwritten, so running it twice is harmless.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG } from '../aggregate/config.js';
import { ReportError } from '../errors.js';
import { LANGUAGES } from '../i18n/languages.js';
import { PACKAGE_ROOT } from '../paths.js';
import type { Protocol } from '../stats/schema.js';

export interface FocusRequest {
  port: number;
  proto: Protocol;
  honeypot?: string;
}

export interface NewQuarterOptions {
  quarter: string;
  /** Where quarters/ and locales/ are (the package root by default). */
  rootDir?: string;
  focus?: readonly FocusRequest[];
}

export interface NewQuarterResult {
  created: string[];
  /** Files that existed already and were left as they were. */
  kept: string[];
}

/** The config file of a quarter. */
export function formatQuarterConfigPath(rootDir: string, quarter: string): string {
  return join(rootDir, 'quarters', `${quarter}.json`);
}

/** `--config` when given, else the quarter's own config under quarters/ when it exists. */
export function resolveQuarterConfigPath(rootDir: string, quarter: string | undefined, explicit?: string): string | undefined {
  if (explicit || !quarter) return explicit;
  const path = formatQuarterConfigPath(rootDir, quarter);
  return existsSync(path) ? path : undefined;
}

/** The skeleton config: every setting spelled out with its default, so staff see what they can change. */
export function renderQuarterConfig(quarter: string, focus: readonly FocusRequest[]): string {
  const config = {
    $schema: '../schema/quarter-config.schema.json',
    quarter,
    publication: { date: null },
    timeZone: DEFAULT_CONFIG.timeZone,
    homeCountry: DEFAULT_CONFIG.homeCountry,
    growthWindowDays: DEFAULT_CONFIG.growthWindowDays,
    honeypotThreshold: DEFAULT_CONFIG.honeypotThreshold,
    focus: focus.map((f) => ({ port: f.port, proto: f.proto, ...(f.honeypot ? { honeypot: f.honeypot } : {}) })),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The commentary namespace: empty values mark what the analysts (and translators) still have to write. */
export function renderCommentarySkeleton(focus: readonly FocusRequest[]): string {
  const sections = Object.fromEntries(focus.map((f) => [`${f.port}-${f.proto}`, { title: '', body: '' }]));
  return `${JSON.stringify({ overview: { ports: '', regions: '' }, focus: sections }, null, 2)}\n`;
}

/** `6379/tcp` or `6379/tcp:redis-pot` → a focus request. */
export function parseFocusArgument(value: string): FocusRequest {
  const match = /^(\d{1,5})\/(tcp|udp|icmp|icmpv6)(?::(\S+))?$/i.exec(value);
  const port = Number(match?.[1]);
  if (!match || port > 65535)
    throw new ReportError('BAD_ARGUMENT', `--focus ${value}: expected PORT/PROTO or PORT/PROTO:HONEYPOT, e.g. 6379/tcp:redis-pot`);
  return { port, proto: match[2]!.toLowerCase() as Protocol, ...(match[3] ? { honeypot: match[3] } : {}) };
}

async function writeNew(path: string, text: string): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeFile(path, text, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ReportError('WRITE_FAILED', `Cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export async function runNewQuarter(options: NewQuarterOptions): Promise<NewQuarterResult> {
  if (!/^\d{4}Q[1-4]$/.test(options.quarter))
    throw new ReportError('BAD_ARGUMENT', `${options.quarter}: expected a quarter such as 2022Q1`);
  const rootDir = options.rootDir ?? PACKAGE_ROOT;
  const focus = options.focus ?? [];
  const files = [
    { path: formatQuarterConfigPath(rootDir, options.quarter), text: renderQuarterConfig(options.quarter, focus) },
    ...LANGUAGES.map((lang) => ({ path: join(rootDir, 'locales', lang, `${options.quarter}.json`), text: renderCommentarySkeleton(focus) })),
  ];
  const result: NewQuarterResult = { created: [], kept: [] };
  for (const file of files) (await writeNew(file.path, file.text) ? result.created : result.kept).push(relative(rootDir, file.path));
  return result;
}

export function registerNewQuarterCommand(program: Command): void {
  program
    .command('new-quarter')
    .argument('<quarter>', 'the quarter to set up, e.g. 2022Q1')
    .description('Scaffold a quarter: its config (quarters/<quarter>.json) and its commentary in each language (locales/<lang>/<quarter>.json). Existing files are kept.')
    .option('--focus <port/proto[:honeypot]>', 'a focus section, e.g. 6379/tcp:redis-pot (repeatable)', (v: string, all: FocusRequest[]) => [...all, parseFocusArgument(v)], [])
    .action(async (quarter: string, opts: { focus: FocusRequest[] }) => {
      const result = await runNewQuarter({ quarter, focus: opts.focus });
      for (const file of result.created) console.log(`created ${file}`);
      for (const file of result.kept) console.log(`kept    ${file} (exists; not overwritten)`);
    });
}
