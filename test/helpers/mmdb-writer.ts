/**
 * A small MaxMind DB (.mmdb) writer for tests, following the published
 * format (MaxMind DB File Format Specification 2.0): a binary search tree
 * over address bits (24-bit records), a 16-byte separator, the data section,
 * then the metadata map after the "\xAB\xCD\xEFMaxMind.com" marker.
 *
 * The tree is an IPv6 tree; IPv4 networks sit under ::/96, where readers
 * look IPv4 addresses up. Values may be strings, unsigned integers, maps and
 * arrays, which is all a country database needs.
 */
import { isIPv4 } from 'node:net';

/** A value of the data section. `{ uint16 }` / `{ uint64 }` mark integer widths where the format asks for them. */
export type MmdbValue = string | number | { uint16: number } | { uint64: bigint } | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** CIDR, IPv4 (`1.2.3.0/24`) or IPv6 (`2001:db8::/32`). */
  network: string;
  value: MmdbValue;
}

export interface MmdbOptions {
  databaseType: string;
  /** Build time, seconds since the epoch. */
  buildEpoch: number;
  networks: MmdbNetwork[];
}

function control(type: number, size: number): Buffer {
  const extended = type > 7;
  const head = (extended ? 0 : type << 5) & 0xff;
  let sizeBytes: number[];
  let sizeBits: number;
  if (size < 29) [sizeBits, sizeBytes] = [size, []];
  else if (size < 285) [sizeBits, sizeBytes] = [29, [size - 29]];
  else if (size < 65821) [sizeBits, sizeBytes] = [30, [(size - 285) >> 8, (size - 285) & 255]];
  else [sizeBits, sizeBytes] = [31, [(size - 65821) >> 16, ((size - 65821) >> 8) & 255, (size - 65821) & 255]];
  return Buffer.from([head | sizeBits, ...(extended ? [type - 7] : []), ...sizeBytes]);
}

function unsignedBytes(value: bigint): number[] {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 255n));
  return bytes;
}

/** Encodes one data-section value. */
export function encodeMmdbValue(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'number') {
    const bytes = unsignedBytes(BigInt(value));
    return Buffer.concat([control(6, bytes.length), Buffer.from(bytes)]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encodeMmdbValue)]);
  if ('uint16' in value && typeof value.uint16 === 'number') {
    const bytes = unsignedBytes(BigInt(value.uint16));
    return Buffer.concat([control(5, bytes.length), Buffer.from(bytes)]);
  }
  if ('uint64' in value && typeof value.uint64 === 'bigint') {
    const bytes = unsignedBytes(value.uint64);
    return Buffer.concat([control(9, bytes.length), Buffer.from(bytes)]);
  }
  const entries = Object.entries(value as Record<string, MmdbValue>);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encodeMmdbValue(k), encodeMmdbValue(v)])]);
}

/** The 128 bits of a network's prefix, as 0/1, IPv4 mapped under ::/96. */
function prefixBits(network: string): number[] {
  const [address, lengthText] = network.split('/') as [string, string];
  const length = Number(lengthText);
  let bytes: number[];
  let offset = 0;
  if (isIPv4(address)) {
    bytes = [...new Array<number>(12).fill(0), ...address.split('.').map(Number)];
    offset = 96;
  } else {
    const url = new URL(`http://[${address}]`).hostname.slice(1, -1);
    const [head, tail] = url.split('::') as [string, string | undefined];
    const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
    const h = groups(head);
    const t = groups(tail);
    const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
    bytes = all.flatMap((g) => [g >> 8, g & 255]);
  }
  const bits = bytes.flatMap((b) => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => (b >> i) & 1));
  return bits.slice(0, offset + length);
}

interface TreeNode {
  children: [TreeNode | number | null, TreeNode | number | null];
}

/** Builds the .mmdb bytes. */
export function writeMmdb(options: MmdbOptions): Buffer {
  const data: Buffer[] = [];
  let dataSize = 0;
  const root: TreeNode = { children: [null, null] };
  for (const { network, value } of options.networks) {
    const encoded = encodeMmdbValue(value);
    const offset = dataSize;
    data.push(encoded);
    dataSize += encoded.length;
    const bits = prefixBits(network);
    let node = root;
    for (let i = 0; i < bits.length - 1; i++) {
      const bit = bits[i]!;
      let next = node.children[bit];
      if (typeof next !== 'object' || next === null) {
        next = { children: [null, null] };
        node.children[bit] = next;
      }
      node = next;
    }
    node.children[bits[bits.length - 1]!] = offset;
  }
  // Number the nodes breadth-first; the root is node 0.
  const nodes: TreeNode[] = [root];
  for (let i = 0; i < nodes.length; i++) for (const child of nodes[i]!.children) if (typeof child === 'object' && child !== null) nodes.push(child);
  const index = new Map(nodes.map((n, i) => [n, i]));
  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach((node, i) => {
    node.children.forEach((child, side) => {
      const record = child === null ? nodeCount : typeof child === 'number' ? nodeCount + 16 + child : index.get(child)!;
      tree.writeUIntBE(record, i * 6 + side * 3, 3);
    });
  });
  const metadata = encodeMmdbValue({
    node_count: nodeCount,
    record_size: { uint16: 24 },
    ip_version: { uint16: 6 },
    database_type: options.databaseType,
    languages: ['en'],
    binary_format_major_version: { uint16: 2 },
    binary_format_minor_version: { uint16: 0 },
    build_epoch: { uint64: BigInt(options.buildEpoch) },
    description: { en: `${options.databaseType} (test fixture)` },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...data, Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), metadata]);
}
