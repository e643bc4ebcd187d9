/**
 * The observation store: one DuckDB database holding every ingested packet,
 * honeypot access, sensor and input file. Ingest appends to it in one
 * transaction per command; `stats` reads a quarter back out of it.
 *
 * Tables:
 * - `files`: one row per ingested input, keyed by the SHA-256 of its bytes
 *   (what makes ingest idempotent), with its counts and the GeoIP database used.
 * - `sensors`: the latest sensor manifest; `id` is what `packets.sensor` holds.
 * - `packets`: one row per accepted packet. `ts` is epoch milliseconds UTC,
 *   `proto` a code from PROTO_CODES, `src` an address key (below), `region`
 *   the source's region at ingest as a region code (below).
 * - `honeypot`: one row per honeypot access, `src` an address key.
 * - `addresses6`: the IPv6 sources, each with its key.
 *
 * Addresses and regions are stored as integers, not text: a text column per
 * packet costs more to append and to group than the rest of the row. An
 * address key is the IPv4 address as a 32-bit number, or 2^32 + n for the
 * n-th IPv6 address in `addresses6`; IPv4-mapped IPv6 addresses are stored
 * as their IPv4 address. A region code is (A..Z)×26 + (A..Z) of the
 * two-letter code (see formatRegionSql).
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ReportError } from '../errors.js';
import { DEFAULT_STORE_PATH } from '../paths.js';

/** Bumped when the tables change incompatibly. */
export const STORE_VERSION = 2;

export { DEFAULT_STORE_PATH };

/** Path meaning "a store in memory", for tests and the demo. */
export const MEMORY_STORE = ':memory:';

const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS files (
     id INTEGER PRIMARY KEY, sha256 VARCHAR NOT NULL UNIQUE, name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
     format VARCHAR NOT NULL, honeypot VARCHAR, ingested_at DOUBLE NOT NULL,
     packets BIGINT NOT NULL, rejected BIGINT NOT NULL,
     skipped_fragment BIGINT NOT NULL, skipped_non_ip BIGINT NOT NULL, skipped_other BIGINT NOT NULL,
     geoip_name VARCHAR, geoip_date VARCHAR, bytes BIGINT)`,
  // Stores made before file sizes were kept get the column, NULL for their files (size unknown).
  `ALTER TABLE files ADD COLUMN IF NOT EXISTS bytes BIGINT`,
  `CREATE TABLE IF NOT EXISTS sensors (
     id USMALLINT PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, country VARCHAR NOT NULL,
     address VARCHAR, active_from VARCHAR, active_to VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS packets (
     ts DOUBLE NOT NULL, sensor USMALLINT NOT NULL, src UBIGINT NOT NULL, port USMALLINT NOT NULL,
     proto UTINYINT NOT NULL, region USMALLINT NOT NULL, file_id INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS honeypot (
     ts DOUBLE NOT NULL, name VARCHAR NOT NULL, src UBIGINT NOT NULL, file_id INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS addresses6 (id UBIGINT NOT NULL, address VARCHAR NOT NULL)`,
];

/** First address key of the IPv6 dictionary; smaller keys are IPv4 addresses. */
export const IPV6_KEY_BASE = 2 ** 32;

/** SQL turning the address key `key` back into its text (needs addresses6 in scope as a subquery). */
export function formatAddressSql(key: string): string {
  return `CASE WHEN ${key} < ${IPV6_KEY_BASE} THEN concat_ws('.', (${key} >> 24) & 255, (${key} >> 16) & 255, (${key} >> 8) & 255, ${key} & 255)
    ELSE (SELECT a.address FROM addresses6 a WHERE a.id = ${key}) END`;
}

/** SQL turning the region code `code` back into its two letters. */
export function formatRegionSql(code: string): string {
  return `chr(CAST(65 + ${code} // 26 AS INTEGER)) || chr(CAST(65 + ${code} % 26 AS INTEGER))`;
}

export { parseRegionCode } from '../geo/region-code.js';

/** An open store. Close it when done; a file store is locked while open. */
export interface Store {
  readonly path: string;
  readonly connection: DuckDBConnection;
  close(): void;
}

export interface StoreOptions {
  /** DuckDB memory limit (default 1GB; DuckDB's own default is 80% of RAM). */
  memoryLimit?: string;
  /** DuckDB worker threads (default: the machine's available parallelism). */
  threads?: number;
}

/** Opens (creating if needed) the store at `path`, or in memory for MEMORY_STORE. */
export async function openStore(path: string = DEFAULT_STORE_PATH, options: StoreOptions = {}): Promise<Store> {
  const config: Record<string, string> = {
    memory_limit: options.memoryLimit ?? '1GB',
    threads: String(options.threads ?? availableParallelism()),
  };
  let instance: DuckDBInstance;
  try {
    if (path !== MEMORY_STORE) await mkdir(dirname(path), { recursive: true });
    instance = await DuckDBInstance.create(path, config);
  } catch (cause) {
    throw new ReportError('STORE_FAILED', `Cannot open the store ${path}: ${(cause as Error).message}`, { cause });
  }
  const connection = await instance.connect();
  for (const statement of DDL) await connection.run(statement);
  const version = await queryRows<{ value: string }>(connection, `SELECT value FROM meta WHERE key = 'version'`);
  if (version.length === 0) await connection.run(`INSERT INTO meta VALUES ('version', '${STORE_VERSION}')`);
  else if (version[0]!.value !== String(STORE_VERSION))
    throw new ReportError('STORE_FAILED', `The store ${path} has version ${version[0]!.value}; this program reads version ${STORE_VERSION}.`, {
      hint: 'Ingest the data again into a new store (--store PATH).',
    });
  return {
    path,
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs a query and returns its rows as objects, with BIGINTs as numbers. */
export async function queryRows<T extends Record<string, unknown>>(
  connection: DuckDBConnection,
  sql: string,
  params?: Record<string, string | number | boolean | null>,
): Promise<T[]> {
  const reader = params ? await connection.runAndReadAll(sql, params) : await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) out[key] = typeof value === 'bigint' ? Number(value) : value;
    return out as T;
  });
}

/**
 * Runs a query and returns its columns by name, with BIGINTs as numbers.
 * For results of many rows: one array per column costs far less than an
 * object per row.
 */
export async function queryColumns<T extends Record<string, unknown[]>>(
  connection: DuckDBConnection,
  sql: string,
  params?: Record<string, string | number | boolean | null>,
): Promise<T> {
  const reader = params ? await connection.runAndReadAll(sql, params) : await connection.runAndReadAll(sql);
  const columns = reader.getColumnsObjectJS() as Record<string, unknown[]>;
  for (const values of Object.values(columns))
    if (values.some((v) => typeof v === 'bigint')) for (let i = 0; i < values.length; i++) if (typeof values[i] === 'bigint') values[i] = Number(values[i]);
  return columns as T;
}

/** Runs `body` in one transaction: committed if it returns, rolled back if it throws. */
export async function withTransaction<T>(store: Store, body: () => Promise<T>): Promise<T> {
  await store.connection.run('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await body();
  } catch (error) {
    await store.connection.run('ROLLBACK');
    throw error;
  }
  await store.connection.run('COMMIT');
  return result;
}
