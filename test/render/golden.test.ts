import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT, renderPages } from '../../src/build.js';
import type { ReportModel } from '../../src/model/report.js';
import { loadTemplates } from '../../src/render/html.js';
import { assertGolden, formatLineDiff } from '../helpers/golden.js';
import { loadFixtureStats } from '../helpers/report-context.js';

/**
 * One tag per line, so that a change shows as a line, not as one 100 kB line;
 * inlined font data replaced by its length (the font files are the package's),
 * and the inlined stylesheet by its name (assets/report.css is itself the golden copy).
 */
function normaliseHtml(html: string, css: string): string {
  return html
    .replace(css, '/* assets/report.css */')
    .replace(/base64,[A-Za-z0-9+/=]+/g, (data) => `base64,(${data.length - 7} characters)`)
    .replace(/></g, '>\n<');
}

describe('render/html (golden)', () => {
  it('renders the fixture quarter in Japanese and English as before', async () => {
    const stats = await loadFixtureStats();
    // Dates that change from run to run are pinned.
    stats.provenance.generatedAt = '2022-01-14T09:00:00.000Z';
    const pages = await renderPages(stats, ['ja', 'en'], PACKAGE_ROOT, { now: () => 0 });
    const css = await readFile(join(PACKAGE_ROOT, 'assets', 'report.css'), 'utf8');
    for (const { lang, page } of pages) {
      assert.match(page.html, new RegExp(`<html lang="${lang}">`));
      assert.ok(page.html.includes(css), 'the stylesheet is inlined');
      await assertGolden(`report.${lang}.html`, normaliseHtml(page.html, css));
    }
  });

  it('prints the publication date, publisher and previous report from the quarter’s config', async () => {
    const stats = await loadFixtureStats();
    const publication = { date: '2022-01-20', publisher: 'Example CSIRT', previousReportUrl: 'https://example.org/2021q3.html' };
    const pages = await renderPages(stats, ['ja', 'en'], PACKAGE_ROOT, { now: () => 0 }, { publication });
    const [ja, en] = pages.map((p) => p.page.html);
    assert.match(ja!, /<p class="issued">2022年1月20日発行<\/p>/);
    assert.match(en!, /<p class="issued">Published January 20, 2022<\/p>/);
    assert.match(ja!, /発行：Example CSIRT/);
    assert.match(en!, /href="https:\/\/example\.org\/2021q3\.html"/);
  });

  it('escapes running text and keeps its hyphenated Latin words on one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsubame-prose-'));
    try {
      await mkdir(join(dir, 'partials'));
      await writeFile(join(dir, 'report.hbs'), '<p>{{prose text}}</p>');
      await writeFile(join(dir, 'report.css'), '');
      const templates = await loadTemplates(dir, dir);
      const render = (text: string, keepTogether: string[] = []) =>
        templates.render({ text, keepTogether } as unknown as ReportModel, { t: (() => '') as never, css: '', fontFaceCss: '' });
      assert.equal(render('22/TCP (ssh) overtook 80/TCP (www-http) & <b>'), '<p>22/TCP (ssh) overtook 80/TCP (<span class="nobr">www-http</span>) &amp; &lt;b&gt;</p>');
      // Japanese has no spaces: only the Latin word is kept whole, never the clause around it.
      assert.equal(render('センサーjp-sdj-01は停止'), '<p>センサー<span class="nobr">jp-sdj-01</span>は停止</p>');
      // The model's labels too, the longest first.
      assert.equal(render('推移を図2に示します。', ['図1', '図2']), '<p>推移を<span class="nobr">図2</span>に示します。</p>');
      assert.equal(render('Table 12 and Table 1 (a+b)', ['Table 1', 'Table 12', 'a+b']), '<p><span class="nobr">Table 12</span> and <span class="nobr">Table 1</span> (<span class="nobr">a+b</span>)</p>');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('shows the first differing lines on a mismatch', () => {
    const diff = formatLineDiff('a\nb\nc', 'a\nB\nc\nd');
    assert.equal(diff, '@@ line 2\n- b\n+ B\n@@ line 4\n- (end of file)\n+ d\n(expected 3 lines, got 4)');
  });
});
