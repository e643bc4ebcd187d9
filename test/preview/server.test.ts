import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { loadKeyDescriptions } from '../../src/i18n/check.js';
import { startPreview, type PreviewServer } from '../../src/preview/server.js';
import { loadFixtureStats } from '../helpers/report-context.js';

async function get(url: string): Promise<string> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return response.text();
}

/** Waits until the server has finished a rebuild after `version`. */
async function waitForRebuild(server: PreviewServer, version: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (server.version() <= version) {
    if (Date.now() > deadline) assert.fail(`no rebuild within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('preview server', function () {
  this.timeout(60_000);
  let root: string;
  let server: PreviewServer;
  const logs: string[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsubame-preview-'));
    for (const sub of ['locales', 'templates', 'assets']) await cp(join(PACKAGE_ROOT, sub), join(root, sub), { recursive: true });
    const stats = await loadFixtureStats();
    const describeKey = await loadKeyDescriptions(join(root, 'locales'));
    server = await startPreview({ rootDir: root, port: 0, describeKey }, { loadStats: async () => stats, log: (l) => logs.push(l) });
  });
  after(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves both languages side by side, on localhost', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const shell = await get(server.url);
    assert.match(shell, /src="\/page\/ja"/);
    assert.match(shell, /src="\/page\/en"/);
    assert.match(await get(`${server.url}page/ja`), /<h2><span class="section-number">1\.<\/span>概況<\/h2>/);
    assert.match(await get(`${server.url}page/en`), /Overview/);
  });

  it('rebuilds after a locale file is written, and highlights a missing key in place', async () => {
    const path = join(root, 'locales', 'en', 'report.json');
    const en = JSON.parse(await readFile(path, 'utf8')) as { overview: Record<string, string> };
    en.overview.heading = 'Overview, as edited';
    delete en.overview.portsTable;
    delete en.overview.metricIntro;
    const before = server.version();
    await writeFile(path, JSON.stringify(en, null, 2));
    await waitForRebuild(server, before);
    const page = await get(`${server.url}page/en`);
    assert.match(page, /Overview, as edited/);
    assert.match(page, /<mark class="missing-key" title="overview\.portsTable">overview\.portsTable<\/mark>/);
    // A key with a translator's note shows it in the highlight's tooltip.
    assert.match(page, /<mark class="missing-key" title="overview\.metricIntro: [^"]+">overview\.metricIntro<\/mark>/);
  });

  it('shows a broken template’s error in the page and keeps serving', async () => {
    const partial = join(root, 'templates', 'partials', 'colophon.hbs');
    const good = await readFile(partial, 'utf8');
    let before = server.version();
    await writeFile(partial, '{{#each colophon}}<p>{{this}}</p>');
    await waitForRebuild(server, before);
    const broken = await get(`${server.url}page/ja`);
    assert.match(broken, /TEMPLATE_ERROR/);
    before = server.version();
    await writeFile(partial, good);
    await waitForRebuild(server, before);
    assert.match(await get(`${server.url}page/ja`), /概況/);
  });
});
