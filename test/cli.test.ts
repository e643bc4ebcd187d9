import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT, renderPages } from '../src/build.js';
import { main } from '../src/cli.js';
import { ReportError } from '../src/errors.js';
import { FIXTURE_STATS_PATH, loadFixtureStats } from './helpers/report-context.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cli', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsubame-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects bad statistics with exit code 2, the JSON path, and no stack trace', async () => {
    const stats = JSON.parse(await readFile(FIXTURE_STATS_PATH, 'utf8')) as { ports: Array<{ rank: number }> };
    stats.ports[3]!.rank = 0;
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify(stats));
    const result = await run(['build', '--stats', path, '--format', 'html', '--out', dir]);
    assert.equal(result.code, 2);
    assert.match(result.err, /ports\[3\]\.rank: expected an integer ≥ 1, got 0/);
    assert.match(result.err, /hint: /);
    assert.doesNotMatch(result.err, /\n\s+at /);
  });

  it('says where a file is not JSON', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{"quarter": ');
    const result = await run(['build', '--stats', path, '--format', 'html', '--out', dir]);
    assert.equal(result.code, 2);
    assert.match(result.err, /broken\.json is not valid JSON/);
  });

  it('rejects an unknown language or format', async () => {
    const lang = await run(['build', '--lang', 'ja,fr', '--out', dir]);
    assert.equal(lang.code, 2);
    assert.match(lang.err, /--lang ja,fr: expected a comma-separated list of ja, en/);
    const format = await run(['build', '--format', 'docx', '--out', dir]);
    assert.equal(format.code, 2);
  });

  it('refuses a quarter the statistics are not for', async () => {
    const result = await run(['build', '--quarter', '2022Q1', '--stats', FIXTURE_STATS_PATH, '--format', 'html', '--out', dir]);
    assert.equal(result.code, 2);
    assert.match(result.err, /--quarter 2022Q1 was asked for, but the statistics are for 2021Q4/);
  });

  it('prints help for build', async () => {
    const result = await run(['build', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.out, /--stats <file>/);
    assert.match(result.out, /--format <list>/);
  });

  it('builds the demo quarter from simulated data when given no input', async () => {
    const result = await run(['build', '--format', 'html', '--lang', 'en', '--out', dir]);
    assert.equal(result.code, 0, result.err);
    assert.match(result.err, /bundled demo quarter/);
    const en = await readFile(join(dir, '2021Q4', 'tsubame-2021Q4.en.html'), 'utf8');
    // The demo's surging port is a focus section, with its honeypot.
    assert.match(en, /<h3>.*6379\/TCP/);
    // Text as read, without the tags that style it.
    assert.match(en.replace(/<[^>]+>/g, ''), /redis-pot honeypot/);
    assert.doesNotMatch(en, /fixture/);
  });

  it('fails clearly when the store has no data for the quarter', async () => {
    const result = await run(['build', '--quarter', '2022Q1', '--store', join(dir, 'none.duckdb'), '--format', 'html', '--out', dir]);
    assert.equal(result.code, 2);
    assert.match(result.err, /error\[NO_DATA\]/);
    assert.match(result.err, /none\.duckdb/);
  });

  it('builds the HTML of both languages without a browser', async () => {
    const result = await run(['build', '--stats', FIXTURE_STATS_PATH, '--format', 'html', '--out', dir]);
    assert.equal(result.code, 0, result.err);
    const ja = await readFile(join(dir, '2021Q4', 'tsubame-2021Q4.ja.html'), 'utf8');
    assert.match(ja, /<html lang="ja">/);
    // Standalone: the fonts are inlined, and nothing is referenced outside the file.
    assert.match(ja, /src:url\(data:font\/woff2;base64,/);
    assert.doesNotMatch(ja, /url\((?!data:)/);
    assert.doesNotMatch(ja, /\ssrc=["']?(?!data:)/);
    assert.doesNotMatch(ja, /<link\b|<script\b/);
  });
});

describe('missing translations', () => {
  it('fail the build and list every missing key', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tsubame-locales-'));
    try {
      for (const sub of ['locales', 'templates', 'assets']) await cp(join(PACKAGE_ROOT, sub), join(root, sub), { recursive: true });
      const path = join(root, 'locales', 'en', 'report.json');
      const en = JSON.parse(await readFile(path, 'utf8')) as { overview: Record<string, string>; table: Record<string, string> };
      delete en.overview.heading;
      delete en.table.previousRank;
      await writeFile(path, JSON.stringify(en));
      await assert.rejects(renderPages(await loadFixtureStats(), ['ja', 'en'], root, { now: () => 0 }), (error: unknown) => {
        assert.ok(error instanceof ReportError);
        assert.equal(error.code, 'MISSING_TRANSLATION');
        assert.deepEqual(error.details, ['locales/en/report.json: overview.heading', 'locales/en/report.json: table.previousRank']);
        return true;
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
