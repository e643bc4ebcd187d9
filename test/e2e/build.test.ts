/**
 * End to end: the fixture statistics → both languages as PDF and HTML, in a
 * real browser; the PDFs are read back with pdfjs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, formatOutputPath, type BuildEffects } from '../../src/build.js';
import { ReportError } from '../../src/errors.js';
import { openPrinter } from '../../src/print/printer.js';
import { loadQuarterStats } from '../../src/stats/load.js';
import type { QuarterStats } from '../../src/stats/schema.js';
import { readPdf, type PdfSummary } from '../helpers/pdf.js';
import { FIXTURE_STATS_PATH, loadTranslator } from '../helpers/report-context.js';

function effects(overrides: Partial<BuildEffects> = {}): BuildEffects {
  return {
    log: () => undefined,
    warn: () => undefined,
    now: () => performance.now(),
    openPrinter,
    loadStats: () => loadQuarterStats(FIXTURE_STATS_PATH),
    ...overrides,
  };
}

/** Collapses the whitespace pdf.js puts between text runs. */
function flat(text: string): string {
  return text.replace(/\s+/g, '');
}

describe('e2e: report build', function () {
  this.timeout(180_000);
  let dir: string;
  let stats: QuarterStats;
  const pdfs: Record<string, PdfSummary> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsubame-e2e-'));
    stats = await loadQuarterStats(FIXTURE_STATS_PATH);
    await buildReport({ statsPath: FIXTURE_STATS_PATH, langs: ['ja', 'en'], formats: ['pdf', 'html'], outDir: dir }, effects());
    for (const lang of ['ja', 'en']) pdfs[lang] = await readPdf(await readFile(formatOutputPath(dir, '2021Q4', lang, 'pdf')));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes both languages as PDF and HTML', async () => {
    for (const lang of ['ja', 'en'])
      for (const ext of ['pdf', 'html'] as const) assert.ok((await stat(formatOutputPath(dir, '2021Q4', lang, ext))).size > 10_000);
  });

  it('has extractable Japanese and English text', () => {
    const ja = flat(pdfs.ja!.text.join(''));
    const en = pdfs.en!.text.join('\n');
    assert.ok(ja.includes(flat('インターネット定点観測レポート')));
    assert.ok(ja.includes(flat('宛先ポート番号トップ5')));
    assert.ok(ja.includes('約1.7倍に増加しました'), 'the computed growth sentence');
    assert.match(en, /Internet Telescope Quarterly Report/);
    assert.match(en.replace(/\s+/g, ' '), /Top 5 destination ports/);
  });

  it('prints the tables with the fixture’s rows in order', async () => {
    for (const lang of ['ja', 'en'] as const) {
      const { fmt } = await loadTranslator(lang);
      const text = flat(pdfs[lang]!.text.join(''));
      let from = 0;
      for (const port of stats.ports.slice(0, 5)) {
        const row = flat(`${port.rank}${fmt.portLabel(port.port, port.proto, port.service)}${fmt.number(port.value, 1)}${fmt.previousRank(port.previousRank)}`);
        const at = text.indexOf(row, from);
        assert.ok(at >= 0, `${lang}: row ${row} not found after offset ${from}`);
        from = at + row.length;
      }
      from = 0;
      for (const region of stats.regions.slice(0, 5)) {
        const row = flat(`${region.rank}${fmt.region(region.region)}${fmt.number(region.value, 1)}${fmt.previousRank(region.previousRank)}`);
        const at = text.indexOf(row, from);
        assert.ok(at >= 0, `${lang}: row ${row} not found after offset ${from}`);
        from = at + row.length;
      }
    }
  });

  it('never splits a table across pages', () => {
    // Each table's caption and its last row are on the same page.
    const en = pdfs.en!;
    const tables = [
      { caption: 'Table 1 Top 5', lastRow: flat(`5443/TCP (https)`) },
      { caption: 'Table 2 Top 5', lastRow: flat('5Singapore') },
      { caption: 'Table 3 Source', lastRow: 'Germany' },
      { caption: 'Table 4 Monthly', lastRow: 'December2021' },
    ];
    for (const { caption, lastRow } of tables) {
      const page = en.text.findIndex((text) => text.includes(caption));
      assert.ok(page >= 0, `${caption} is printed`);
      const rest = flat(en.text[page]!.slice(en.text[page]!.indexOf(caption)));
      assert.ok(rest.includes(lastRow), `${caption} ends on the page it starts (page ${page + 1})`);
    }
  });

  it('embeds only the shipped fonts, none of them Type 3', () => {
    for (const lang of ['ja', 'en']) {
      const fonts = pdfs[lang]!.fonts;
      assert.ok(fonts.length > 0);
      for (const font of fonts) {
        assert.ok(font.embedded, `${lang}: ${font.name} is not embedded`);
        assert.notEqual(font.type, 'Type3', `${lang}: ${font.name} is a Type 3 font`);
        assert.match(font.name, /^[A-Z]{6}\+NotoSansJP/, `${lang}: ${font.name} is not a shipped font`);
      }
    }
  });

  it('is tagged, with the language, a title and an outline from the headings', () => {
    const ja = pdfs.ja!;
    assert.equal(ja.tagged, true);
    assert.equal(ja.lang, 'ja');
    assert.equal(ja.title, 'インターネット定点観測レポート［2021年10～12月］');
    const titles = JSON.stringify(ja.outline);
    assert.match(titles, /概況/);
    assert.match(titles, /注目された現象/);
    assert.match(titles, /参考文献/);
    assert.equal(pdfs.en!.lang, 'en');
    assert.equal(pdfs.en!.title, 'Internet Telescope Quarterly Report, October–December 2021');
  });

  it('prints A4 pages numbered in the margin', () => {
    const en = pdfs.en!;
    for (const size of en.pageSizes) {
      assert.ok(Math.abs(size.width - 595) < 2 && Math.abs(size.height - 842) < 2, JSON.stringify(size));
    }
    assert.ok(en.pages >= 4);
    // Chromium draws the @page margin box before the page's content.
    en.text.forEach((page, i) => {
      assert.equal(page.trim().split('\n')[0]!.trim(), String(i + 1), `page ${i + 1} carries its number`);
    });
  });

  it('keeps the previous report when a build fails', async () => {
    const path = formatOutputPath(dir, '2021Q4', 'en', 'pdf');
    const before = await readFile(path);
    const failing = effects({
      openPrinter: async () => {
        throw new ReportError('BROWSER_FAILED', 'the browser crashed (simulated)');
      },
    });
    await assert.rejects(
      buildReport({ statsPath: FIXTURE_STATS_PATH, langs: ['ja', 'en'], formats: ['pdf', 'html'], outDir: dir }, failing),
      /simulated/,
    );
    assert.deepEqual(await readFile(path), before);
  });
});
