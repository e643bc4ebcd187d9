/**
 * Printing the report's HTML to PDF in headless Chromium, through Puppeteer.
 *
 * One browser serves every page of a build; each print gets a tab of its own
 * (a tab is reused once its print is done), so several can run at once. The
 * page is loaded from a
 * fixed fake origin, and request interception answers every request: the
 * HTML and the build's own files come from the job's map, and anything else
 * is aborted and recorded, which fails the print (BLOCKED_REQUEST). Page
 * scripts are disabled (the report is static HTML, CSS and SVG), so nothing
 * can be fetched outside interception's view either; the launch flags
 * (browser.ts) close the network below that.
 */
import { once } from 'node:events';
import type { Browser, HTTPRequest, Page, PDFOptions } from 'puppeteer';
import puppeteer from 'puppeteer';
import { ReportError } from '../errors.js';
import { loadLaunchOptions, type BrowserLocation } from './browser.js';

/** One file of the build, served to the page at its relative path. */
export interface PrintFile {
  /** The bytes, or a function that reads them when the page asks (fonts are only read if used). */
  body: Buffer | (() => Promise<Buffer>);
  contentType: string;
}

/** One language's report page to print. */
export interface PrintJob {
  /** Language code; the page is served at `<origin>/<lang>/index.html`. */
  lang: string;
  /** The standalone HTML page. Its `<title>` becomes the PDF title, its `<html lang>` the PDF language. */
  html: string;
  /** Files the page references with relative URLs, keyed by path relative to the page (`fonts/x.woff2`). */
  files: ReadonlyMap<string, PrintFile>;
  /**
   * Names the job in log lines and error messages. The PDF's own title comes
   * from the page's `<title>`.
   */
  title: string;
}

/** A running browser that prints report pages; always close it. */
export interface Printer {
  /** Prints one page to PDF bytes. Several calls may run concurrently. */
  print(job: PrintJob): Promise<Buffer>;
  close(): Promise<void>;
  /** What the browser reports, e.g. `HeadlessChrome/147.0.7727.0`. */
  readonly browserVersion: string;
}

export interface PrinterOptions {
  /** A Chrome or Chromium binary to use instead of searching for one. */
  executablePath?: string;
  /** Receives progress and warning lines. */
  log?: (line: string) => void;
}

/**
 * The options every report PDF is printed with. Page size and margins come
 * from the page's `@page` rules (preferCSSPageSize), A4 being the fallback,
 * and page numbers from its `@page` margin boxes: Puppeteer's header and
 * footer templates cannot use web fonts.
 */
export const PDF_OPTIONS = {
  format: 'A4',
  printBackground: true,
  tagged: true,
  outline: true,
  preferCSSPageSize: true,
  displayHeaderFooter: false,
} as const satisfies PDFOptions;

/** The origin the report is served from; `.invalid` can never resolve to a real host. */
export const REPORT_ORIGIN = 'https://report.tsubame.invalid';

/** How long one page may take to load its files. */
const LOAD_TIMEOUT_MS = 60_000;

/** What the page's fonts came to once loading settled. */
export interface FontsState {
  /** Faces that loaded (family, weight and style). */
  loaded: string[];
  /** Faces whose file could not be loaded or decoded. */
  failed: string[];
}

/**
 * Waits until the page has loaded every font face its text uses:
 * `document.fonts.ready` settles once no face is loading, and faces of
 * unicode-range subsets the text does not need stay unloaded.
 */
export async function waitForFonts(page: Page): Promise<FontsState> {
  // CDP evaluation works while page scripts are disabled.
  return page.evaluate(async () => {
    await document.fonts.ready;
    const loaded: string[] = [];
    const failed: string[] = [];
    // Not FontFaceSet.forEach: a callback into the page does not run while page scripts are disabled.
    // FontFaceSet is iterable in every browser; the project's lib lacks DOM.Iterable.
    for (const face of document.fonts as unknown as Iterable<FontFace>) {
      const name = `${face.family} ${face.weight} ${face.style}`;
      if (face.status === 'loaded') loaded.push(name);
      else if (face.status === 'error') failed.push(name);
    }
    return { loaded, failed };
  });
}

/** Where a job's page lives: `https://report.tsubame.invalid/<lang>/index.html`. */
export function formatPageUrl(lang: string): string {
  return `${REPORT_ORIGIN}/${encodeURIComponent(lang)}/index.html`;
}

/**
 * The job file a URL names, if it is under the page's folder on the fake
 * origin; `undefined` for anything else. Query and fragment are ignored.
 */
export function parseJobPath(url: string, lang: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.origin !== REPORT_ORIGIN) return undefined;
  const base = `/${encodeURIComponent(lang)}/`;
  if (!parsed.pathname.startsWith(base)) return undefined;
  return decodeURIComponent(parsed.pathname.slice(base.length));
}

/** URLs that never leave the browser and need no answer from the build. */
function isLocalUrl(url: string): boolean {
  return (
    url.startsWith('data:') ||
    url.startsWith('blob:') ||
    url === 'about:blank' ||
    url === 'about:srcdoc'
  );
}

/** Starts a browser (found by findBrowser) and returns a printer that uses it. */
export async function openPrinter(options: PrinterOptions = {}): Promise<Printer> {
  const log = options.log ?? (() => {});
  const { location, launchOptions } = await loadLaunchOptions(options);
  const started = performance.now();
  let browser: Browser;
  try {
    browser = await puppeteer.launch(launchOptions);
  } catch (error) {
    throw new ReportError(
      'BROWSER_FAILED',
      `Could not start the browser ${location.executablePath}: ${messageOf(error)}`,
      {
        cause: error,
        ...(location.source === 'bundled'
          ? {
              hint: `Delete ${location.executablePath} so that @sparticuz/chromium unpacks its binary again, or set PUPPETEER_EXECUTABLE_PATH to another Chrome or Chromium.`,
            }
          : {}),
      },
    );
  }
  let browserVersion: string;
  try {
    browserVersion = await browser.version();
  } catch (error) {
    await browser.close().catch(() => {});
    throw new ReportError(
      'BROWSER_FAILED',
      `The browser ${location.executablePath} started but does not answer: ${messageOf(error)}`,
      { cause: error },
    );
  }
  log(
    `browser: ${browserVersion} (${location.source}, ${location.executablePath}), started in ${Math.round(performance.now() - started)} ms`,
  );
  const warning = formatVersionWarning(location, browserVersion);
  if (warning) log(warning);

  // Tabs are reused: the one the browser opened at start serves the first print, and a tab
  // that has printed serves the next, since a new tab costs tens of milliseconds. Tabs stay
  // open until the printer closes: closing one makes Puppeteer hold the process open for a
  // tenth of a second, waiting for a frame that never comes. The first tab is looked up while
  // the build goes on, not before the printer is handed over.
  let initialTab: Promise<Page | undefined> | undefined = browser.pages().then(
    (pages) => pages[0],
    () => undefined,
  );
  const idleTabs: Page[] = [];
  const takeTab = async (): Promise<Page | undefined> => {
    const idle = idleTabs.pop();
    if (idle) return idle;
    const first = initialTab;
    initialTab = undefined;
    return first;
  };
  let closed = false;
  return {
    browserVersion,
    async print(job) {
      if (closed)
        throw new ReportError(
          'BROWSER_FAILED',
          `Cannot print ${formatJobName(job)}: the printer is closed.`,
        );
      const start = performance.now();
      const { pdf, page } = await printPage(browser, job, await takeTab());
      idleTabs.push(page);
      log(
        `printed ${formatJobName(job)}: ${pdf.length} bytes in ${Math.round(performance.now() - start)} ms`,
      );
      return pdf;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Every PDF is in hand and the browser keeps nothing worth saving: end it at once rather
      // than wait for its own shutdown, whose helper processes hold the command open for tens
      // of milliseconds after browser.close(). Puppeteer starts the browser as the leader of its
      // own process group, so the group goes together; the temporary profile is still removed.
      const child = browser.process();
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
        // A process that cannot be killed is left to browser.close() below, not waited for forever.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
        clearTimeout(timer);
      }
      await browser.close().catch(() => {});
    },
  };
}

/**
 * A warning when the bundled browser is not the version its package ships:
 * @sparticuz/chromium reuses any binary already at /tmp/chromium, which may
 * have been unpacked by another version of the package.
 */
export function formatVersionWarning(
  location: BrowserLocation,
  version: string,
): string | undefined {
  if (location.expectedMajor === undefined) return undefined;
  const major = Number.parseInt(/\/(\d+)\./.exec(version)?.[1] ?? '', 10);
  if (major === location.expectedMajor) return undefined;
  return `warning: ${location.executablePath} is ${version}, not the Chromium ${location.expectedMajor} that @sparticuz/chromium ships; delete it to unpack the shipped one.`;
}

/**
 * Prints one job in `tab` (a fresh tab when not given). The tab is returned
 * for the next job; a tab whose print failed is closed.
 */
async function printPage(
  browser: Browser,
  job: PrintJob,
  tab?: Page,
): Promise<{ pdf: Buffer; page: Page }> {
  const blocked: string[] = [];
  const missing: string[] = [];
  // Pages share the default context: the page is static and its storage is never used, and a
  // context of its own per print costs time a build can feel.
  const page = tab ?? (await wrapBrowserError(job, () => browser.newPage()));
  const pageUrl = formatPageUrl(job.lang);
  const onRequest = (request: HTTPRequest) => {
    void answerRequest(request, job, pageUrl, { blocked, missing });
  };
  try {
    await wrapBrowserError(job, async () => {
      await page.setJavaScriptEnabled(false);
      await page.setBypassServiceWorker(true);
      await page.setRequestInterception(true);
    });
    page.on('request', onRequest);

    await wrapBrowserError(job, () =>
      page.goto(pageUrl, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS }),
    );
    const fonts = await wrapBrowserError(job, () => waitForFonts(page));
    throwIfIncomplete(job, blocked, missing, fonts);
    const pdf = await wrapBrowserError(job, () =>
      page.pdf({ ...PDF_OPTIONS, timeout: LOAD_TIMEOUT_MS }),
    );
    // Printing lays the page out again, which may ask for more (a print-only stylesheet's font).
    throwIfIncomplete(job, blocked, missing, fonts);
    page.off('request', onRequest);
    return { pdf: Buffer.from(pdf), page };
  } catch (error) {
    await page.close().catch(() => {});
    throw error;
  }
}

async function answerRequest(
  request: HTTPRequest,
  job: PrintJob,
  pageUrl: string,
  record: { blocked: string[]; missing: string[] },
): Promise<void> {
  const url = request.url();
  try {
    if (url === pageUrl) {
      await request.respond({
        status: 200,
        contentType: 'text/html; charset=utf-8',
        body: job.html,
      });
      return;
    }
    if (isLocalUrl(url)) {
      await request.continue();
      return;
    }
    const path = parseJobPath(url, job.lang);
    const file = path === undefined ? undefined : job.files.get(path);
    if (path === undefined) {
      record.blocked.push(url);
      await request.abort('blockedbyclient');
      return;
    }
    if (!file) {
      record.missing.push(path);
      await request.respond({ status: 404, contentType: 'text/plain', body: 'not in the build' });
      return;
    }
    const body = typeof file.body === 'function' ? await file.body() : file.body;
    await request.respond({ status: 200, contentType: file.contentType, body });
  } catch (error) {
    // A file that cannot be read counts as missing; the page gets an error
    // answer so that it does not wait for one.
    record.missing.push(`${url} (${messageOf(error)})`);
    await request
      .respond({ status: 500, contentType: 'text/plain', body: 'unreadable' })
      .catch(() => {});
  }
}

function throwIfIncomplete(
  job: PrintJob,
  blocked: string[],
  missing: string[],
  fonts: FontsState,
): void {
  if (blocked.length > 0 || missing.length > 0) {
    const unique = [...new Set(blocked)];
    const parts = [
      ...(unique.length > 0
        ? [`${unique.length} request(s) outside the build: ${unique.join(', ')}`]
        : []),
      ...(missing.length > 0
        ? [`${missing.length} file(s) missing from the build: ${[...new Set(missing)].join(', ')}`]
        : []),
    ];
    throw new ReportError(
      'BLOCKED_REQUEST',
      `While printing ${formatJobName(job)}, the page asked for ${parts.join('; ')}.`,
      {
        details: [
          ...unique.map((url) => `blocked: ${url}`),
          ...[...new Set(missing)].map((path) => `missing: ${path}`),
        ],
      },
    );
  }
  if (fonts.failed.length > 0) {
    throw new ReportError(
      'BROWSER_FAILED',
      `While printing ${formatJobName(job)}, font faces failed to load: ${fonts.failed.join(', ')}.`,
      {
        hint: 'Check that the font files in the build are valid woff2 files (src/fonts/faces.ts).',
      },
    );
  }
}

async function wrapBrowserError<T>(job: PrintJob, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ReportError) throw error;
    throw new ReportError(
      'BROWSER_FAILED',
      `Printing ${formatJobName(job)} failed: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

/** `"Quarterly report 2021Q4" (ja)`: how messages name a job. */
function formatJobName(job: PrintJob): string {
  return `"${job.title}" (${job.lang})`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
