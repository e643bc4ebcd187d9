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
 *   `proto` a code from PROTO_CODES, `region` the source's region at ingest.
 * - `honeypot`: one row per honeypot access.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ReportError } from '../errors.js';

/** Bumped when the tables change incompatibly. */
export const STORE_VERSION = 1;

/** Default store location: data/ under the repository, ignored by git. */
export const DEFAULT_STORE_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../data/tsubame.duckdb');

/** Path meaning "a store in memory", for tests and the demo. */
export const MEMORY_STORE = ':memory:';

const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS files (
     id INTEGER PRIMARY KEY, sha256 VARCHAR NOT NULL UNIQUE, name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
     format VARCHAR NOT NULL, honeypot VARCHAR, ingested_at DOUBLE NOT NULL,
     packets BIGINT NOT NULL, rejected BIGINT NOT NULL,
     skipped_fragment BIGINT NOT NULL, skipped_non_ip BIGINT NOT NULL, skipped_other BIGINT NOT NULL,
     geoip_name VARCHAR, geoip_date VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS sensors (
     id USMALLINT PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, country VARCHAR NOT NULL,
     address VARCHAR, active_from VARCHAR, active_to VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS packets (
     ts DOUBLE NOT NULL, sensor USMALLINT NOT NULL, src VARCHAR NOT NULL, port USMALLINT NOT NULL,
     proto UTINYINT NOT NULL, region VARCHAR NOT NULL, file_id INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS honeypot (
     ts DOUBLE NOT NULL, name VARCHAR NOT NULL, src VARCHAR NOT NULL, file_id INTEGER NOT NULL)`,
];

/** An open store. Close it when done; a file store is locked while open. */
export interface Store {
  readonly path: string;
  readonly connection: DuckDBConnection;
  close(): void;
}

export interface StoreOptions {
  /** DuckDB memory limit (its own default is 80% of RAM). */
  memoryLimit?: string;
  threads?: number;
}

/** Opens (creating if needed) the store at `path`, or in memory for MEMORY_STORE. */
export async function openStore(path: string = DEFAULT_STORE_PATH, options: StoreOptions = {}): Promise<Store> {
  const config: Record<string, string> = { memory_limit: options.memoryLimit ?? '1GB' };
  if (options.threads !== undefined) config.threads = String(options.threads);
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
