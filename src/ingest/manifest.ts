/**
 * The sensor manifest: `sensor,country[,address][,active_from][,active_to]`,
 * with a header row. It says which sensors exist, where each one sits
 * (domestic or overseas), which address it listens on (to attribute captures
 * that do not name their sensor) and, optionally, the inclusive dates it was
 * active.
 */
import { readFile } from 'node:fs/promises';
import { ReportError } from '../errors.js';
import { parseCsvHeader, parseCsvLine } from './csv.js';
import { parseAddress } from './fields.js';

/** One sensor of the manifest. */
export interface SensorEntry {
  name: string;
  /** ISO 3166-1 alpha-2 country where the sensor sits. */
  country: string;
  /** The sensor's address in canonical form, if given. */
  address: string | null;
  /** First active local date (inclusive), if given. */
  activeFrom: string | null;
  /** Last active local date (inclusive), if given. */
  activeTo: string | null;
}

export interface SensorManifest {
  sensors: SensorEntry[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** Parses and validates a manifest; every problem is listed with its line. */
export function parseManifest(text: string, file: string): SensorManifest {
  const lines = text.split(/\r?\n/);
  const header = parseCsvHeader(lines[0] ?? '');
  const problems: string[] = [];
  if (!header || !header.has('sensor') || !header.has('country'))
    throw new ReportError('MANIFEST_INVALID', `${file}:1: expected a header row with at least sensor,country.`, {
      details: [`got ${JSON.stringify(lines[0] ?? '')}`],
    });
  const column = (fields: string[], name: string) => {
    const index = header.get(name);
    const value = index === undefined ? '' : (fields[index] ?? '').trim();
    return value;
  };
  const sensors: SensorEntry[] = [];
  const names = new Set<string>();
  const addresses = new Map<string, string>();
  lines.slice(1).forEach((line, index) => {
    const where = `${file}:${index + 2}`;
    if (line.trim() === '') return;
    const fields = parseCsvLine(line);
    if (!fields) return problems.push(`${where}: broken quoting`);
    const name = column(fields, 'sensor');
    const country = column(fields, 'country').toUpperCase();
    const addressText = column(fields, 'address');
    const activeFrom = column(fields, 'active_from') || null;
    const activeTo = column(fields, 'active_to') || null;
    const before = problems.length;
    if (name === '') problems.push(`${where}: sensor is empty`);
    else if (names.has(name)) problems.push(`${where}: sensor ${name} is listed twice`);
    if (!/^[A-Z]{2}$/.test(country)) problems.push(`${where}: country ${JSON.stringify(country)} is not a two-letter ISO code`);
    const address = addressText === '' ? null : parseAddress(addressText);
    if (addressText !== '' && address === null) problems.push(`${where}: address ${JSON.stringify(addressText)} is not an IP address`);
    if (address !== null && addresses.has(address))
      problems.push(`${where}: address ${address} is also sensor ${addresses.get(address)}'s`);
    if (activeFrom !== null && !isDate(activeFrom)) problems.push(`${where}: active_from ${JSON.stringify(activeFrom)} is not a date (YYYY-MM-DD)`);
    if (activeTo !== null && !isDate(activeTo)) problems.push(`${where}: active_to ${JSON.stringify(activeTo)} is not a date (YYYY-MM-DD)`);
    if (activeFrom !== null && activeTo !== null && activeFrom > activeTo) problems.push(`${where}: active_from is after active_to`);
    if (problems.length > before) return;
    names.add(name);
    if (address !== null) addresses.set(address, name);
    sensors.push({ name, country, address, activeFrom, activeTo });
  });
  if (problems.length > 0)
    throw new ReportError('MANIFEST_INVALID', `${file} is not a valid sensor manifest (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, {
      details: problems,
    });
  if (sensors.length === 0) throw new ReportError('MANIFEST_INVALID', `${file} lists no sensors.`);
  return { sensors };
}

/** Reads and validates a manifest file. */
export async function readManifest(path: string): Promise<SensorManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ReportError('MANIFEST_INVALID', `Cannot read the sensor manifest ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, {
      cause,
      hint: 'Check the path given with --sensors: a CSV file with the header sensor,country[,address][,active_from][,active_to].',
    });
  }
  return parseManifest(text, path);
}
