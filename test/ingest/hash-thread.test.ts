import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFileOnThread } from '../../src/ingest/hash-thread.js';

describe('ingest: hashing a file on its own thread', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsubame-hash-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the SHA-256 of the whole file, over several read chunks', async () => {
    const bytes = randomBytes(3 * (1 << 20) + 17);
    const path = join(dir, 'capture.pcap');
    await writeFile(path, bytes);
    const hashing = hashFileOnThread(path);
    try {
      assert.equal(await hashing.result, createHash('sha256').update(bytes).digest('hex'));
    } finally {
      await hashing.stop();
    }
  });

  it('fails with the file named when it cannot be read', async () => {
    const path = join(dir, 'gone.pcap');
    const hashing = hashFileOnThread(path);
    try {
      await assert.rejects(hashing.result, (error: Error & { code?: string }) => {
        assert.equal(error.code, 'INPUT_INVALID');
        assert.match(error.message, /gone\.pcap: ENOENT/);
        return true;
      });
    } finally {
      await hashing.stop();
    }
  });
});
