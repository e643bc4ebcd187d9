/**
 * The floor under the report's print time: for each finished HTML page on
 * disk (its fonts beside it), a fresh browser with the printer's binary and
 * launch options opens the file, waits for its fonts, prints it once with the
 * given PDF options and closes. Whatever the build's printer takes beyond
 * this total is its own overhead.
 *
 *   node --import tsx bench/print-floor.ts out/ja/index.html out/en/index.html
 */
import { pathToFileURL } from 'node:url';
import type { PDFOptions } from 'puppeteer';
import puppeteer from 'puppeteer';
import { loadLaunchOptions, PDF_OPTIONS, waitForFonts } from '../src/print/index.js';

/** Total wall time of launching, loading, printing and closing once per file. */
export async function measurePrintFloor(
  htmlFiles: string[],
  pdfOptions: PDFOptions = PDF_OPTIONS,
  options: { executablePath?: string } = {},
): Promise<{ seconds: number }> {
  // Finding (and possibly unpacking) the browser is a one-off, not part of the floor.
  const { launchOptions } = await loadLaunchOptions(options);
  const start = performance.now();
  for (const file of htmlFiles) {
    const browser = await puppeteer.launch(launchOptions);
    try {
      const page = await browser.newPage();
      await page.setJavaScriptEnabled(false);
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const fonts = await waitForFonts(page);
      if (fonts.failed.length > 0)
        throw new Error(`${file}: font faces failed to load: ${fonts.failed.join(', ')}`);
      await page.pdf(pdfOptions);
    } finally {
      await browser.close();
    }
  }
  return { seconds: (performance.now() - start) / 1000 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node --import tsx bench/print-floor.ts <page.html>...');
    process.exit(2);
  }
  const { seconds } = await measurePrintFloor(files);
  console.log(`print floor: ${files.length} page(s) in ${seconds.toFixed(2)} s`);
}
