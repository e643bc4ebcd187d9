import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuarterConfig } from '../../src/aggregate/config.js';
import { parseFocusArgument, resolveQuarterConfigPath, runNewQuarter } from '../../src/commands/new-quarter.js';

describe('commands/new-quarter', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsubame-newq-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('scaffolds the config and one commentary namespace per language', async () => {
    const result = await runNewQuarter({ quarter: '2022Q1', rootDir: root, focus: [parseFocusArgument('6379/tcp:redis-pot')] });
    assert.deepEqual(result.created, ['quarters/2022Q1.json', 'locales/ja/2022Q1.json', 'locales/en/2022Q1.json']);
    const config = parseQuarterConfig(JSON.parse(await readFile(join(root, 'quarters/2022Q1.json'), 'utf8')), '2022Q1.json');
    assert.equal(config.quarter, '2022Q1');
    assert.deepEqual(config.focus, [{ port: 6379, proto: 'tcp', honeypot: 'redis-pot', honeypotThreshold: 5 }]);
    assert.equal(config.publication.date, null);
    const ja = JSON.parse(await readFile(join(root, 'locales/ja/2022Q1.json'), 'utf8')) as unknown;
    assert.deepEqual(ja, { overview: { ports: '', regions: '' }, focus: { '6379-tcp': { title: '', body: '' } } });
  });

  it('never overwrites existing work when run twice', async () => {
    await runNewQuarter({ quarter: '2022Q1', rootDir: root });
    const path = join(root, 'locales/en/2022Q1.json');
    const written = '{"overview": {"ports": "Our commentary."}}\n';
    await writeFile(path, written);
    const again = await runNewQuarter({ quarter: '2022Q1', rootDir: root, focus: [parseFocusArgument('23/tcp')] });
    assert.deepEqual(again.created, []);
    assert.equal(again.kept.length, 3);
    assert.equal(await readFile(path, 'utf8'), written);
  });

  it('finds the quarter’s config when none is named', async () => {
    assert.equal(resolveQuarterConfigPath(root, '2022Q1'), undefined);
    await runNewQuarter({ quarter: '2022Q1', rootDir: root });
    assert.equal(resolveQuarterConfigPath(root, '2022Q1'), join(root, 'quarters', '2022Q1.json'));
    assert.equal(resolveQuarterConfigPath(root, '2022Q1', 'other.json'), 'other.json');
    assert.equal(resolveQuarterConfigPath(root, undefined), undefined);
  });

  it('rejects a bad quarter or focus argument', async () => {
    await assert.rejects(runNewQuarter({ quarter: '2022Q5', rootDir: root }), /expected a quarter such as 2022Q1/);
    assert.throws(() => parseFocusArgument('6379'), /expected PORT\/PROTO/);
    assert.throws(() => parseFocusArgument('70000/tcp'), /expected PORT\/PROTO/);
    assert.deepEqual(parseFocusArgument('8/ICMP'), { port: 8, proto: 'icmp' });
  });
});
