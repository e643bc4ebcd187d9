import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkLocales,
  formatProblems,
  formatStatusTable,
  type LocaleReport,
} from '../../src/i18n/check.js';
import { LANGUAGES } from '../../src/i18n/languages.js';
import { loadLocaleResources } from '../../src/i18n/locales.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

const REAL_LOCALES = join(PACKAGE_ROOT, 'locales');

type Json = Record<string, unknown>;

/** Sets (or, with `undefined`, deletes) a dotted key in a JSON object. */
function setKey(json: Json, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  const last = parts.pop()!;
  let node = json;
  for (const part of parts) node = node[part] as Json;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function getKey(json: Json, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, part) => (node as Json)[part], json);
}

function errorLines(report: LocaleReport): string[] {
  return formatProblems(report).filter((l) => !l.startsWith(' ') && !l.startsWith('warning: '));
}

describe('i18n check', () => {
  let tmp: string;
  /** A copy of the real locales/, broken one thing at a time. */
  let locales: string;

  const path = (lang: string, ns: string) => join(locales, lang, `${ns}.json`);
  const read = async (lang: string, ns: string) =>
    JSON.parse(await readFile(path(lang, ns), 'utf8')) as Json;
  const edit = async (lang: string, ns: string, change: (json: Json) => void) => {
    const json = await read(lang, ns);
    change(json);
    await writeFile(path(lang, ns), JSON.stringify(json, null, 2));
  };

  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'tsubame-i18n-'));
    locales = join(tmp, 'locales');
    await cp(REAL_LOCALES, locales, { recursive: true });
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('finds no errors in the real locale files', async () => {
    const report = await checkLocales(REAL_LOCALES);
    assert.deepEqual(errorLines(report), []);
    assert.equal(report.errorCount, 0);
    assert.deepEqual(report.languages, ['ja', 'en']);
    for (const ns of ['report', 'regions', 'charts', '2021Q4'])
      assert.ok(report.namespaces.includes(ns), ns);
  });

  it('never takes _context for a language', async () => {
    const resources = await loadLocaleResources(REAL_LOCALES, LANGUAGES);
    assert.deepEqual(Object.keys(resources), ['ja', 'en']);
    const report = await checkLocales(locales);
    assert.ok(!report.languages.includes('_context'));
    assert.ok(!report.status.some((s) => s.lang.startsWith('_')));
  });

  it('reports a missing key, with its description under it', async () => {
    await edit('en', 'report', (j) => setKey(j, 'overview.metricIntro', undefined));
    const lines = formatProblems(await checkLocales(locales));
    const at = lines.indexOf('locales/en/report.json: overview.metricIntro — missing');
    assert.notEqual(at, -1, lines.join('\n'));
    const context = JSON.parse(
      await readFile(join(locales, '_context', 'report.json'), 'utf8'),
    ) as Json;
    assert.equal(lines[at + 1], `    ${context['overview.metricIntro'] as string}`);
  });

  it('reports an extra key', async () => {
    await edit('en', 'report', (j) => setKey(j, 'overview.introduction', 'Stale text'));
    assert.deepEqual(errorLines(await checkLocales(locales)), [
      'locales/en/report.json: overview.introduction — extra: not in ja',
    ]);
  });

  it('reports a missing namespace file once', async () => {
    await rm(path('en', 'charts'));
    assert.deepEqual(errorLines(await checkLocales(locales)), ['locales/en/charts.json — missing']);
  });

  it('reports a missing language directory once', async () => {
    await rm(join(locales, 'en'), { recursive: true });
    assert.deepEqual(errorLines(await checkLocales(locales)), ['locales/en/ — missing']);
  });

  it('reports a file that is not JSON, with the line and column', async () => {
    await writeFile(path('en', 'charts'), '{\n  "axis": {\n    "date": "Date",\n  }\n}\n');
    const lines = errorLines(await checkLocales(locales));
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /^locales\/en\/charts\.json — not valid JSON: .* \(line 4, column 3\)$/,
    );
  });

  it('reports an empty value', async () => {
    await edit('en', 'report', (j) => setKey(j, 'table.rank', '  '));
    assert.deepEqual(errorLines(await checkLocales(locales)), [
      'locales/en/report.json: table.rank — empty',
    ]);
  });

  it('reports placeholders that differ from the source', async () => {
    await edit('en', 'report', (j) =>
      setKey(
        j,
        'sentences.focusShare',
        (getKey(j, 'sentences.focusShare') as string).replace('{{share}}', '{{shares}}'),
      ),
    );
    assert.deepEqual(errorLines(await checkLocales(locales)), [
      'locales/en/report.json: sentences.focusShare — placeholders differ: ja has {{share}}, en has {{shares}}',
    ]);
  });

  it('reports a placeholder dropped from a translation', async () => {
    await edit('en', 'report', (j) => setKey(j, 'overview.portsFigure', 'Top 5 destination ports'));
    assert.deepEqual(errorLines(await checkLocales(locales)), [
      'locales/en/report.json: overview.portsFigure — placeholders differ: ja has {{period}}, en does not',
    ]);
  });

  it('checks placeholders against the list in the context file where there is one', async () => {
    // format.date uses {{month}} in ja and {{monthName}} in en, both passed by the code: no error.
    assert.equal(
      getKey(await read('en', 'report'), 'format.date'),
      '{{monthName}} {{day}}, {{year}}',
    );
    await edit('en', 'report', (j) =>
      setKey(j, 'format.date', '{{weekday}}, {{monthName}} {{day}}, {{year}}'),
    );
    assert.deepEqual(errorLines(await checkLocales(locales)), [
      'locales/en/report.json: format.date — unknown placeholder {{weekday}}: the code passes {{year}}, {{month}}, {{day}}, {{monthName}}',
    ]);
  });

  it('counts {{count}} as present on plural keys', async () => {
    await edit('en', 'report', (j) => {
      setKey(
        j,
        'sentences.noRankChange_one',
        'The top {{count}} entry was the same as in the previous quarter.',
      );
      setKey(
        j,
        'sentences.distinctSources_other',
        '{{count}} distinct source IP addresses ({{sources}}) sent packets to {{port}}.',
      );
    });
    assert.deepEqual(errorLines(await checkLocales(locales)), []);
  });

  it('reports plural forms that do not match the language', async () => {
    await edit('en', 'report', (j) => setKey(j, 'sentences.noRankChange_one', undefined));
    await edit('ja', 'report', (j) =>
      setKey(j, 'sentences.distinctSources_one', '{{port}}宛の送信元IPアドレスは1件でした。'),
    );
    assert.deepEqual(errorLines(await checkLocales(locales)), [
      'locales/ja/report.json: sentences.distinctSources_one — plural form not used in ja (ja uses _other)',
      'locales/en/report.json: sentences.noRankChange_one — missing plural form (en uses _one, _other)',
    ]);
  });

  it('reports a plural family translated as a plain key', async () => {
    await edit('en', 'report', (j) => {
      setKey(j, 'sentences.noRankChange_one', undefined);
      setKey(j, 'sentences.noRankChange_other', undefined);
      setKey(
        j,
        'sentences.noRankChange',
        'The top {{count}} were the same as in the previous quarter.',
      );
    });
    assert.deepEqual(errorLines(await checkLocales(locales)), [
      'locales/en/report.json: sentences.noRankChange — plural forms differ: ja has _other, en has none',
    ]);
  });

  it('reports unbalanced ** and * in commentary', async () => {
    await edit('en', '2021Q4', (j) => {
      const key = 'focus.6379-tcp.body';
      setKey(j, key, (getKey(j, key) as string).replace('{{overlapShare}}**', '{{overlapShare}}'));
      setKey(
        j,
        'overview.ports',
        `${getKey(j, 'overview.ports') as string} *Mirai* and *its variants.`,
      );
    });
    assert.deepEqual(errorLines(await checkLocales(locales)), [
      'locales/en/2021Q4.json: overview.ports — unbalanced markup: "*" without its pair',
      'locales/en/2021Q4.json: focus.6379-tcp.body — unbalanced markup: "**" without its pair',
    ]);
  });

  it('leaves stars alone outside commentary, but not tags or braces', async () => {
    await edit('en', 'report', (j) => {
      setKey(j, 'table.share', 'Share *');
      setKey(j, 'overview.heading', '<b>Overview');
      setKey(j, 'sentences.topPort', 'Most packets were sent to {{port}.');
    });
    assert.deepEqual(errorLines(await checkLocales(locales)), [
      'locales/en/report.json: overview.heading — unbalanced markup: <b> without </b>',
      'locales/en/report.json: sentences.topPort — unbalanced markup: "{{" without "}}"',
      'locales/en/report.json: sentences.topPort — placeholders differ: ja has {{port}}, en does not',
    ]);
  });

  it('warns about a value left the same as the source, but not about dashes, bare placeholders or marked keys', async () => {
    await edit('en', 'report', (j) => setKey(j, 'overview.heading', '概況'));
    const report = await checkLocales(locales);
    assert.deepEqual(formatProblems(report), [
      'warning: locales/en/report.json: overview.heading — same as the source (ja)',
    ]);
    assert.equal(report.errorCount, 0);
    // The real files hold `—`, `{{period}}` and the IANA URL in both languages.
    const en = await read('en', 'report');
    const ja = await read('ja', 'report');
    for (const key of ['rank.unknown', 'meta.subtitle', 'references.ianaUrl'])
      assert.equal(getKey(en, key), getKey(ja, key), key);
  });

  it('lets each language leave out region names, but not leave one empty', async () => {
    await edit('en', 'regions', (j) => {
      delete j['US'];
      j['FR'] = 'France';
      j['GB'] = '';
    });
    assert.deepEqual(errorLines(await checkLocales(locales)), [
      'locales/en/regions.json: GB — empty',
    ]);
  });

  it('checks the context file itself', async () => {
    const file = join(locales, '_context', 'report.json');
    const context = JSON.parse(await readFile(file, 'utf8')) as Json;
    context['overview.nope'] = 'A key that was renamed';
    context['overview.heading'] = { description: 'Heading', sameAs: true };
    await writeFile(file, JSON.stringify(context));
    assert.deepEqual(formatProblems(await checkLocales(locales)), [
      'warning: locales/_context/report.json: overview.nope — describes a key that is not in ja',
      'locales/_context/report.json: overview.heading — expected a description, or { "description", "sameAsSource", "placeholders" }',
    ]);
  });

  it('fails the CLI with LOCALE_CHECK_FAILED on an error, and passes on warnings alone', async () => {
    // Imported dynamically, as the CLI imports the check: under mocha's tsx loader this file's
    // static imports are CommonJS copies, and a ReportError from the lazily imported check would
    // not be an instance of such a copy's class.
    const { main } = await import('../../src/cli.js');
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    await edit('en', 'report', (j) => setKey(j, 'overview.heading', '概況'));
    const clean = await run(['i18n', 'check', '--locales', locales]);
    assert.equal(clean.code, 0, clean.err);
    assert.match(
      clean.out,
      /^warning: locales\/en\/report\.json: overview\.heading — same as the source \(ja\)$/m,
    );
    assert.match(clean.out, /0 errors, 1 warning in /);

    await edit('en', 'report', (j) => setKey(j, 'overview.metricIntro', undefined));
    const broken = await run(['i18n', 'check', '--locales', locales]);
    assert.equal(broken.code, 2);
    assert.match(broken.out, /^locales\/en\/report\.json: overview\.metricIntro — missing$/m);
    assert.match(broken.err, /^error\[LOCALE_CHECK_FAILED\]: The locale files have errors$/m);
    assert.match(broken.err, /1 error, 1 warning in .*, listed above\./);

    const missing = await run(['i18n', 'check', '--locales', join(tmp, 'nowhere')]);
    assert.equal(missing.code, 2, missing.err);
    assert.match(missing.err, /Cannot read the locales directory .*nowhere: ENOENT/);
  });
});

describe('i18n status', () => {
  let tmp: string;
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('counts translated keys per language and namespace (hand-made fixture)', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'tsubame-i18n-status-'));
    const dir = join(tmp, 'locales');
    const files: Record<string, Json> = {
      // Source: 4 keys in "a" (the plural family counts once), 2 in "b", 2 in "regions".
      'ja/a.json': {
        title: 'タイトル',
        nested: { x: 'エックス', same: 'サーバー' },
        items_other: '{{count}}件',
      },
      'ja/b.json': { one: 'いち', two: 'に' },
      'ja/regions.json': { US: '米国', ZZ: '不明' },
      // en: title translated; nested.x empty (error); nested.same copied from ja (warning);
      // items has both forms: 2 of 4 translated. "b" missing. One region: 1 of 2, optional.
      'en/a.json': {
        title: 'Title',
        nested: { x: '', same: 'サーバー' },
        items_one: 'One item',
        items_other: '{{count}} items',
      },
      'en/regions.json': { ZZ: 'Unknown' },
    };
    for (const [name, json] of Object.entries(files)) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), JSON.stringify(json));
    }
    const report = await checkLocales(dir);
    const rows = report.status.map((s) => [
      s.lang,
      s.namespace,
      s.translated,
      s.total,
      s.errors,
      s.warnings,
    ]);
    assert.deepEqual(rows, [
      ['ja', 'a', 4, 4, 0, 0],
      ['ja', 'b', 2, 2, 0, 0],
      ['ja', 'regions', 2, 2, 0, 0],
      ['en', 'a', 2, 4, 1, 1],
      ['en', 'b', 0, 2, 1, 0],
      ['en', 'regions', 1, 2, 0, 0],
    ]);
    assert.deepEqual(formatStatusTable(report), [
      'language  namespace  translated  total     %  errors  warnings',
      'ja        a                   4      4  100%       0         0',
      'ja        b                   2      2  100%       0         0',
      'ja        regions *           2      2  100%       0         0',
      'ja        all but *           6      6  100%       0         0',
      'en        a                   2      4   50%       1         1',
      'en        b                   0      2    0%       1         0',
      'en        regions *           1      2   50%       0         0',
      'en        all but *           2      6   33%       2         1',
      '* optional keys: where a language has no entry, the platform’s name (Intl.DisplayNames) is used',
    ]);
  });
});
