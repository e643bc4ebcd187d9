import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandInputPaths, runIngest, runIngestHoneypot, terminalEffects } from '../../src/commands/ingest.js';
import { runStats } from '../../src/commands/stats.js';
import { parseQuarterStats } from '../../src/stats/validate.js';
import { writeFixtureFiles, type FixtureFiles } from '../aggregate/fixture.js';

describe('commands: ingest, ingest-honeypot and stats runners', () => {
  let files: FixtureFiles;
  let dir: string;
  const log: string[] = [];
  const effects = { log: (line: string) => log.push(line), clock: () => new Date('2022-01-15T00:00:00Z') };

  before(async () => {
    files = await writeFixtureFiles();
    dir = await mkdtemp(join(tmpdir(), 'tsubame-cmd-'));
  });
  after(async () => {
    await rm(files.dir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it('ingests into a file store, summarises, and writes valid statistics', async () => {
    const store = join(dir, 'store.duckdb');
    const summary = await runIngest({ store, sensors: files.manifest, files: [files.q3, files.q4] }, effects);
    assert.equal(summary.totals.rejected, 0);
    assert.ok(log.some((l) => l.startsWith('total: read ') && l.includes(`accepted ${summary.totals.accepted}`)));
    await runIngestHoneypot({ store, name: 'telnet-pot', files: [files.honeypot] }, effects);
    const again = await runIngest({ store, sensors: files.manifest, files: [files.q4] }, effects);
    assert.equal(again.totals.duplicate, 1);
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ quarter: '2021Q4', focus: [{ port: 23, proto: 'tcp', honeypot: 'telnet-pot' }], honeypotThreshold: 2 }));
    const out = join(dir, 'stats.json');
    const result = await runStats({ quarter: '2021Q4', store, config, out }, effects);
    assert.equal(result.written, out);
    const stats = parseQuarterStats(JSON.parse(await readFile(out, 'utf8')), out);
    assert.equal(stats.focus[0]?.honeypot?.overlap, 2);
    // An --out that cannot be written fails with WRITE_FAILED, naming the path.
    const blocked = join(dir, 'not-a-folder');
    await writeFile(blocked, 'a file');
    await assert.rejects(runStats({ quarter: '2021Q4', store, config, out: join(blocked, 'stats.json') }, effects), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'WRITE_FAILED');
      assert.match(error.message, /not-a-folder/);
      return true;
    });
  });

  it('takes a folder for every log under it, in name order, leaving out hidden files and naming the others it leaves out', async () => {
    const folder = join(dir, 'logs');
    await mkdir(join(folder, 'b-later'), { recursive: true });
    await mkdir(join(folder, '.cache'), { recursive: true });
    const row = (port: number) => `ts,sensor,src_ip,dst_port,proto\n2021-10-01T00:00:00Z,s1,8.8.8.8,${port},tcp\n`;
    await writeFile(join(folder, 'b-later', 'c.csv'), row(3));
    await writeFile(join(folder, 'a.csv'), row(1));
    await writeFile(join(folder, 'b.csv'), row(2));
    await writeFile(join(folder, '.DS_Store'), 'not a log');
    await writeFile(join(folder, '.cache', 'x.csv'), 'not a log either');
    await writeFile(join(folder, 'README.md'), '# Logs of sensor s1\n');
    await writeFile(join(folder, 'b-later', 'empty.csv'), '');
    const expanded = await expandInputPaths([folder, files.q4]);
    assert.deepEqual(expanded.files, [
      join(folder, 'README.md'),
      join(folder, 'a.csv'),
      join(folder, 'b-later', 'c.csv'),
      join(folder, 'b-later', 'empty.csv'),
      join(folder, 'b.csv'),
      files.q4,
    ]);
    assert.equal(expanded.found.has(files.q4), false, 'a file named on the command line is not one found in a folder');
    const empty = join(dir, 'empty-folder');
    await mkdir(empty);
    await assert.rejects(expandInputPaths([empty]), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'BAD_ARGUMENT');
      assert.match(error.message, /empty-folder holds no files/);
      return true;
    });
    const started: string[] = [];
    const lines: string[] = [];
    const summary = await runIngest(
      { store: join(dir, 'folder.duckdb'), sensors: files.manifest, files: [folder] },
      { ...effects, log: (line) => lines.push(line), fileStarted: (file, index, count) => started.push(`${index}/${count} ${file}`) },
    );
    assert.deepEqual(
      lines.filter((l) => l.includes('left out')),
      [
        `${join(folder, 'README.md')}: left out, not a packet log (the header row lacks ts, src_ip, dst_port, proto (expected ts,sensor,src_ip,dst_port,proto or Shadowserver's event format))`,
        `${join(folder, 'b-later', 'empty.csv')}: left out, it is empty`,
      ],
    );
    assert.deepEqual(started, [`1/3 ${join(folder, 'a.csv')}`, `2/3 ${join(folder, 'b-later', 'c.csv')}`, `3/3 ${join(folder, 'b.csv')}`]);
    assert.deepEqual(
      summary.files.map((f) => [f.file, f.accepted]),
      [
        [join(folder, 'a.csv'), 1],
        [join(folder, 'b-later', 'c.csv'), 1],
        [join(folder, 'b.csv'), 1],
      ],
    );
  });

  it('fails when a folder holds no logs of the kind, saying why each file was left out', async () => {
    const folder = join(dir, 'not-honeypot-logs');
    await mkdir(folder);
    await writeFile(join(folder, 'capture.pcap'), Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0]));
    await writeFile(join(folder, 'SHA256SUMS'), 'e3b0c442  capture.pcap\n');
    const lines: string[] = [];
    await assert.rejects(
      runIngestHoneypot({ store: join(dir, 'hp.duckdb'), name: 'telnet-pot', files: [folder] }, { ...effects, log: (line) => lines.push(line) }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'BAD_ARGUMENT');
        assert.match(error.message, /No honeypot logs among the files given/);
        return true;
      },
    );
    assert.deepEqual(lines, [
      `${join(folder, 'SHA256SUMS')}: left out, not a honeypot log (the header row lacks ts or src_ip)`,
      `${join(folder, 'capture.pcap')}: left out, a packet capture, not a honeypot log`,
    ]);
  });

  it('keeps one status line on a terminal: which file of how many, and a bar for a large one', () => {
    const written: string[] = [];
    const tty = terminalEffects({ isTTY: true, write: (text: string) => written.push(text) });
    tty.fileStarted!('a.csv', 1, 2);
    tty.progress!('a.csv', 1 << 20, 2 << 20); // small: no bar
    tty.fileStarted!('big.pcap', 2, 2);
    tty.progress!('big.pcap', 4 << 20, 16 << 20);
    tty.log('big.pcap (pcap): read 9');
    assert.deepEqual(written, [
      '\r\x1b[K[1/2] a.csv',
      '\r\x1b[K[2/2] big.pcap',
      `\r\x1b[K[2/2] big.pcap [${'#'.repeat(8)}${'.'.repeat(22)}] 25%`,
      '\r\x1b[K',
      'big.pcap (pcap): read 9\n',
    ]);
    const piped: string[] = [];
    const plain = terminalEffects({ isTTY: false, write: (text: string) => piped.push(text) });
    assert.equal(plain.fileStarted, undefined);
    assert.equal(plain.progress, undefined);
    plain.log('total: read 9');
    assert.deepEqual(piped, ['total: read 9\n'], 'a pipe or a file gets the lines only');
  });

  it('says what to pass when a log is empty or the manifest is missing', async () => {
    const store = join(dir, 'paths.duckdb');
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    await assert.rejects(runIngest({ store, sensors: files.manifest, files: [empty] }, effects), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'INPUT_INVALID');
      assert.match(error.message, /empty\.csv is empty \(0 bytes\)/);
      return true;
    });
    await assert.rejects(runIngest({ store, sensors: join(dir, 'no-such.csv'), files: [files.q4] }, effects), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, 'MANIFEST_INVALID');
      assert.match(error.message, /no-such\.csv: ENOENT/);
      assert.match(error.hint ?? '', /--sensors/);
      return true;
    });
  });

  it('refuses a config with an unknown key, naming it', async () => {
    const config = join(dir, 'bad-config.json');
    await writeFile(config, JSON.stringify({ focus: [{ port: 23, proto: 'tcp', honeypotName: 'x' }] }));
    await assert.rejects(runStats({ quarter: '2021Q4', store: join(dir, 'store.duckdb'), config }, effects), (error: Error & { details?: string[] }) => {
      assert.ok(error.details?.some((d) => d.includes('focus[0].honeypotName')), String(error.details));
      return true;
    });
  });

  it('refuses a focus port without data, or an unknown honeypot, naming the config key', async () => {
    const store = join(dir, 'store.duckdb');
    const config = join(dir, 'data-config.json');
    await writeFile(config, JSON.stringify({ quarter: '2021Q4', focus: [{ port: 23, proto: 'tcp', honeypot: 'no-such-pot' }] }));
    await assert.rejects(runStats({ quarter: '2021Q4', store, config }, effects), (error: Error & { code?: string; details?: string[] }) => {
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.deepEqual(error.details, ['focus[0].honeypot: no honeypot named "no-such-pot" in the store (known: telnet-pot)']);
      return true;
    });
    await writeFile(config, JSON.stringify({ quarter: '2021Q4', focus: [{ port: 23, proto: 'tcp' }, { port: 6380, proto: 'udp' }] }));
    await assert.rejects(runStats({ quarter: '2021Q4', store, config }, effects), (error: Error & { code?: string; details?: string[] }) => {
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.deepEqual(error.details, ['focus[1].port: 6380/udp received no packets from the domestic sensors in 2021Q4']);
      return true;
    });
  });

  it('fails clearly without a store', async () => {
    await assert.rejects(runStats({ quarter: '2021Q4', store: join(dir, 'none.duckdb') }, effects), { code: 'NO_DATA' });
  });
});
