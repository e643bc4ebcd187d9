/**
 * Region of a source address: the country in a GeoLite2-Country database, as
 * ISO 3166-1 alpha-2, or ZZ for addresses the database cannot place (private,
 * reserved, unallocated).
 *
 * The embedded default is the `geoip-country` package, whose version carries
 * its data date; `--geoip FILE` reads a MaxMind-format `.mmdb` instead.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { ReportError } from '../errors.js';

/** Looks up regions; callers cache per distinct address. */
export interface GeoResolver {
  /** Database name recorded in the statistics' provenance. */
  readonly name: string;
  /** Data date of the database, YYYY-MM-DD. */
  readonly date: string;
  /** Region code of an address in canonical form; ZZ when unknown. */
  lookup(address: string): string;
}

export const UNKNOWN_REGION = 'ZZ';

const require = createRequire(import.meta.url);

function normaliseRegion(code: unknown): string {
  return typeof code === 'string' && /^[A-Za-z]{2}$/.test(code) ? code.toUpperCase() : UNKNOWN_REGION;
}

let defaultResolver: GeoResolver | undefined;

/** The embedded geoip-country database (GeoLite2-Country data). */
export function loadDefaultGeo(): GeoResolver {
  if (defaultResolver) return defaultResolver;
  const geoip = require('geoip-country') as { lookup(ip: string): { country?: string } | null };
  const pkgPath = require.resolve('geoip-country/package.json');
  const version = (require(pkgPath) as { version: string }).version;
  // Versions look like 5.0.202609260156: the patch number is the data's build time.
  const stamp = /\.(\d{4})(\d{2})(\d{2})\d*$/.exec(version);
  const date = stamp ? `${stamp[1]}-${stamp[2]}-${stamp[3]}` : '1970-01-01';
  defaultResolver = {
    name: `geoip-country ${version} (GeoLite2-Country)`,
    date,
    lookup: (address) => normaliseRegion(geoip.lookup(address)?.country),
  };
  return defaultResolver;
}

interface MmdbRecord {
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
  country_code?: string;
}

/**
 * A MaxMind-format database. Accepts MaxMind's own layout (`country.iso_code`)
 * and the flat `country_code` layout of other publishers.
 */
export async function loadMmdbGeo(path: string): Promise<GeoResolver> {
  // A CommonJS package: Node gives its exports by name, the bundle only as `default`.
  const maxmind = await import('maxmind');
  const Reader = maxmind.Reader ?? (maxmind.default as unknown as typeof maxmind).Reader;
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (cause) {
    throw new ReportError('BAD_ARGUMENT', `Cannot read the GeoIP database ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  let reader: InstanceType<typeof Reader>;
  try {
    reader = new Reader(buffer);
  } catch (cause) {
    throw new ReportError('BAD_ARGUMENT', `${path} is not a MaxMind database: ${(cause as Error).message}`, {
      cause,
      hint: 'Pass a GeoLite2-Country (or compatible) .mmdb file with --geoip.',
    });
  }
  // The build date is the data's version in the statistics' provenance: a four-digit year or nothing.
  const built = reader.metadata.buildEpoch;
  const date = Number.isFinite(built.getTime()) ? built.toISOString().slice(0, 10) : '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new ReportError('BAD_ARGUMENT', `${path}: its metadata gives no build date (build_epoch ${String(built.getTime() / 1000)}).`, {
      hint: 'Pass a GeoLite2-Country (or compatible) .mmdb file with --geoip, as its publisher ships it.',
    });
  return {
    name: reader.metadata.databaseType || path,
    date,
    lookup(address) {
      const record = reader.get(address) as MmdbRecord | null;
      return normaliseRegion(record?.country?.iso_code ?? record?.country_code);
    },
  };
}
