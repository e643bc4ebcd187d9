/**
 * Puppeteer must not download a browser at install time: the browser comes
 * from an explicit path, the @sparticuz/chromium package, or the system
 * (see src/print/browser.ts).
 */
module.exports = { skipDownload: true };
