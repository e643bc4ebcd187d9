/**
 * End-to-end: these start Chromium (one browser for the whole file) and read
 * the printed PDFs back.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import puppeteer from 'puppeteer';
import { ReportError } from '../../src/errors.js';
import { loadLaunchOptions } from '../../src/print/browser.js';
import { openPrinter, type Printer } from '../../src/print/printer.js';
import { readPdf, type PdfSummary } from '../helpers/pdf.js';
import { loadSampleJob } from './sample-page.js';

const A4 = { width: 595.28, height: 841.89 };
/** Chromium rounds the page box to whole CSS pixels: 794 × 1123 px is 595.5 × 842.25 pt, printed as 594.96 × 841.92. */
const A4_TOLERANCE_PT = 1;
const NOTO_SANS_JP = /^([A-Z]{6}\+)?NotoSansJP/;

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ReportError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ReportError, `expected a ReportError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/** A loopback TCP server that records every connection and the first line of what it receives. */
async function startRecordingServer(): Promise<{ server: Server; origin: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((socket) => {
    hits.push('connection');
    socket.on('data', (data) => hits.push(data.toString('latin1').split('\r\n')[0] ?? ''));
    socket.on('error', () => {});
    socket.setTimeout(200, () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/**
 * Markup that reaches for the network in every way a page can, with and
 * without scripts. Everything points at the loopback server, so that even the
 * unguarded control browser sends nothing off this machine.
 */
function formatLeakyMarkup(origin: string): string {
  return `
<link rel="preconnect" href="${origin}/preconnect">
<link rel="dns-prefetch" href="${origin}/">
<link rel="prefetch" href="${origin}/prefetch">
<style>@import url("${origin}/import.css"); .bg { background: url("${origin}/bg.png"); }</style>
<p class="bg"><img src="${origin}/img.png" alt=""></p>
<iframe src="${origin}/frame"></iframe>
<script>
  fetch("${origin}/fetch").catch(() => {});
  navigator.serviceWorker?.register("sw.js").catch(() => {});
  new WebSocket("${origin.replace('http', 'ws')}/ws");
</script>`;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('print/printer (starts Chromium)', function () {
  this.timeout(60_000);
  let printer: Printer;
  const log: string[] = [];

  before(async () => {
    printer = await openPrinter({ log: (line) => log.push(line) });
  });
  after(async () => {
    await printer?.close();
  });

  describe('a Japanese and English sample page', () => {
    let pdf: PdfSummary;
    before(async () => {
      pdf = await readPdf(await printer.print(await loadSampleJob()));
    });

    it('reports the browser it launched', () => {
      assert.match(printer.browserVersion, /Chrome\/\d+\./);
      assert.ok(
        log.some((line) => line.startsWith(`browser: ${printer.browserVersion}`)),
        log.join('\n'),
      );
    });

    it('prints A4 pages with the page numbers from the @page margin box', () => {
      assert.equal(pdf.pages, 2);
      for (const size of pdf.pageSizes) {
        assert.ok(Math.abs(size.width - A4.width) < A4_TOLERANCE_PT, `width ${size.width}`);
        assert.ok(Math.abs(size.height - A4.height) < A4_TOLERANCE_PT, `height ${size.height}`);
      }
      assert.match(pdf.text[0] ?? '', /– 1 –/);
      assert.match(pdf.text[1] ?? '', /– 2 –/);
    });

    it('keeps Japanese and English text extractable', () => {
      const all = pdf.text.join('\n').replace(/\n/g, '');
      assert.match(all, /6379\/TCP宛てのパケットは前四半期の約1\.8倍に増加しました。/);
      assert.match(all, /Packets to 6379\/TCP rose about 1\.8 ?times\./);
      assert.match(pdf.text[1] ?? '', /送信元の88%が一つの地域からでした。/);
    });

    it('embeds only the shipped Noto Sans JP faces, none as Type 3', () => {
      assert.ok(pdf.fonts.length > 0);
      for (const font of pdf.fonts) {
        assert.match(font.name, NOTO_SANS_JP, JSON.stringify(font));
        assert.equal(font.embedded, true, JSON.stringify(font));
        assert.notEqual(font.type, 'Type3', JSON.stringify(font));
      }
      // Both weights are real faces: Fontsource names the bold instances ...-Bold.
      assert.ok(pdf.fonts.some((font) => /-Regular$/.test(font.name)));
      assert.ok(pdf.fonts.some((font) => /-Bold$/.test(font.name)));
    });

    it('is tagged, with title, language and an outline from the h1/h2 headings', () => {
      assert.equal(pdf.tagged, true);
      assert.equal(pdf.title, 'ダークネット観測報告 2021年第4四半期 / Darknet report 2021Q4');
      assert.equal(pdf.lang, 'ja');
      assert.deepEqual(pdf.outline, [
        {
          title: 'ダークネット観測報告',
          children: [
            { title: '概要 Overview', children: [] },
            { title: '注目すべき事象 Notable phenomena', children: [] },
          ],
        },
      ]);
    });
  });

  it('detects a synthesized bold, which Chromium prints as Type 3', async () => {
    // Only the 400 faces are declared, so the bold headings are synthesized.
    const pdf = await readPdf(await printer.print(await loadSampleJob({ weights: [400] })));
    const type3 = pdf.fonts.filter((font) => font.type === 'Type3');
    assert.ok(type3.length > 0, JSON.stringify(pdf.fonts));
  });

  it('prints two pages concurrently on one browser', async () => {
    const [ja, en] = await Promise.all([
      loadSampleJob({ lang: 'ja', title: '日本語版' }).then((job) => printer.print(job)),
      loadSampleJob({ lang: 'en', title: 'English edition' }).then((job) => printer.print(job)),
    ]);
    const [jaPdf, enPdf] = await Promise.all([readPdf(ja), readPdf(en)]);
    assert.equal(jaPdf.title, '日本語版');
    assert.equal(jaPdf.lang, 'ja');
    assert.equal(enPdf.title, 'English edition');
    assert.equal(enPdf.lang, 'en');
    assert.equal(jaPdf.pages, 2);
    assert.equal(enPdf.pages, 2);
  });

  it('prints each job in a reused tab with that job’s page, also after a failed print', async () => {
    // The same language twice: the same URL, so only the job's own answer can tell them apart.
    await rejectsWith(
      loadSampleJob({ lang: 'en', extraBody: '<img src="https://example.com/y.png" alt="">' }).then((job) => printer.print(job)),
      'BLOCKED_REQUEST',
    );
    for (const marker of ['FIRST-JOB-MARKER', 'SECOND-JOB-MARKER']) {
      const job = await loadSampleJob({ lang: 'en', title: marker, extraBody: `<p>${marker}</p>` });
      const pdf = await readPdf(await printer.print(job));
      assert.equal(pdf.title, marker);
      const text = pdf.text.join(' ');
      assert.match(text, new RegExp(marker));
      assert.doesNotMatch(text, new RegExp(marker === 'FIRST-JOB-MARKER' ? 'SECOND-JOB-MARKER' : 'FIRST-JOB-MARKER'));
    }
  });

  it('fails with BLOCKED_REQUEST naming an external image', async () => {
    const job = await loadSampleJob({ extraBody: '<img src="https://example.com/x.png" alt="">' });
    const error = await rejectsWith(printer.print(job), 'BLOCKED_REQUEST');
    assert.match(error.message, /1 request\(s\) outside the build: https:\/\/example\.com\/x\.png/);
    assert.deepEqual(error.details, ['blocked: https://example.com/x.png']);
  });

  it('fails with BLOCKED_REQUEST naming a file missing from the build', async () => {
    const job = await loadSampleJob({ extraBody: '<img src="charts/figure-1.svg" alt="">' });
    const error = await rejectsWith(printer.print(job), 'BLOCKED_REQUEST');
    assert.deepEqual(error.details, ['missing: charts/figure-1.svg']);
  });

  it('accepts data: URLs, about:blank frames and links to outside references', async () => {
    const job = await loadSampleJob({
      extraBody:
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""><iframe src="about:blank"></iframe>' +
        '<p><a href="https://www.iana.org/assignments/service-names-port-numbers/">IANA registry</a></p>',
    });
    const pdf = await readPdf(await printer.print(job));
    assert.equal(pdf.pages, 2);
  });

  it('lets nothing reach the network, by request or otherwise', async () => {
    const { server, origin, hits } = await startRecordingServer();
    try {
      const job = await loadSampleJob({ extraBody: formatLeakyMarkup(origin) });
      const error = await rejectsWith(printer.print(job), 'BLOCKED_REQUEST');
      for (const path of ['/prefetch', '/import.css', '/bg.png', '/img.png', '/frame']) {
        assert.ok(
          error.details.includes(`blocked: ${origin}${path}`),
          `${path} not reported:\n${error.details.join('\n')}`,
        );
      }
      await wait(300);
      assert.deepEqual(hits, []);
    } finally {
      server.close();
    }
  });

  it('keeps unintercepted traffic (preconnect, scripts, WebSocket) off the network through the launch flags', async () => {
    // Scripts enabled and no interception: only the flags stand between the
    // page and the server. Without them (the control) the server is reached,
    // which shows that the check can fail.
    const { server, origin, hits } = await startRecordingServer();
    const { launchOptions: options } = await loadLaunchOptions({});
    const html = `<!doctype html><html><head><title>t</title></head><body>${formatLeakyMarkup(origin)}</body></html>`;
    const visit = async (args: string[]) => {
      const browser = await puppeteer.launch({ ...options, args });
      try {
        const page = await browser.newPage();
        await page.setContent(html, { waitUntil: 'load' }).catch(() => {});
        await wait(500);
      } finally {
        await browser.close();
      }
    };
    try {
      await visit(options.args ?? []);
      assert.equal(hits.length, 0, `guarded browser reached the server: ${hits.join(', ')}`);
      await visit(
        (options.args ?? []).filter((arg) => !/^--(host-resolver-rules|proxy-)/.test(arg)),
      );
      assert.ok(
        hits.includes('connection'),
        'control: an unguarded browser should reach the server',
      );
    } finally {
      server.close();
    }
  });

  it('reports a build file that cannot be read', async () => {
    const job = await loadSampleJob({ extraBody: '<img src="charts/figure-2.svg" alt="">' });
    const files = new Map(job.files);
    files.set('charts/figure-2.svg', {
      body: () => Promise.reject(new Error('EACCES: permission denied')),
      contentType: 'image/svg+xml',
    });
    const error = await rejectsWith(printer.print({ ...job, files }), 'BLOCKED_REQUEST');
    assert.equal(error.details.length, 1);
    assert.match(error.details[0] ?? '', /charts\/figure-2\.svg \(EACCES: permission denied\)/);
  });

  it('fails with BROWSER_FAILED when the binary is not a browser', async () => {
    const error = await rejectsWith(openPrinter({ executablePath: '/bin/true' }), 'BROWSER_FAILED');
    assert.match(error.message, /Could not start the browser \/bin\/true/);
  });

  it('refuses to print once closed', async () => {
    const other = await openPrinter({});
    await other.close();
    await rejectsWith(other.print(await loadSampleJob()), 'BROWSER_FAILED');
  });
});
