/** Printing the report's HTML pages to PDF. */
export {
  BASE_BROWSER_ARGS,
  SYSTEM_BROWSER_PATHS,
  findBrowser,
  formatLaunchOptions,
  loadLaunchOptions,
  type BrowserLocation,
  type BrowserSearch,
  type BrowserSource,
} from './browser.js';
export {
  PDF_OPTIONS,
  REPORT_ORIGIN,
  openPrinter,
  waitForFonts,
  type FontsState,
  type PrintFile,
  type PrintJob,
  type Printer,
  type PrinterOptions,
} from './printer.js';
