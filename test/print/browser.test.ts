import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ReportError } from '../../src/errors.js';
import {
  BASE_BROWSER_ARGS,
  findBrowser,
  formatLaunchOptions,
  isExecutableFile,
  BUNDLED_BROWSER_ARGS,
  selectBundledArgs,
  type BrowserSearch,
} from '../../src/print/browser.js';
import { formatPageUrl, formatVersionWarning, parseJobPath } from '../../src/print/printer.js';

/** A search where only the listed paths are executables, and the bundled Chromium is as given. */
function fakeSearch(options: {
  executables: string[];
  env?: Record<string, string>;
  bundled?: string | Error;
  systemPaths?: string[];
}): BrowserSearch & { bundledCalls: number } {
  const search = {
    bundledCalls: 0,
    env: options.env ?? {},
    systemPaths: options.systemPaths ?? ['/usr/bin/chromium', '/usr/bin/google-chrome'],
    isExecutable: async (path: string) => options.executables.includes(path),
    loadBundled: async () => {
      search.bundledCalls++;
      const bundled = options.bundled ?? new Error('package not installed');
      if (bundled instanceof Error) throw bundled;
      return { executablePath: bundled, version: '147.0.0' };
    },
  };
  return search;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ReportError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ReportError, `expected a ReportError, got ${String(error)}`);
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('print/browser: findBrowser', () => {
  it('uses the executablePath option first, before the environment and the bundled Chromium', async () => {
    const search = fakeSearch({
      executables: ['/opt/mine/chrome', '/env/chrome', '/tmp/chromium', '/usr/bin/chromium'],
      env: { PUPPETEER_EXECUTABLE_PATH: '/env/chrome' },
      bundled: '/tmp/chromium',
    });
    const location = await findBrowser({ executablePath: '/opt/mine/chrome' }, search);
    assert.deepEqual(location, { executablePath: '/opt/mine/chrome', source: 'option' });
    assert.equal(search.bundledCalls, 0, 'an explicit path must not unpack the bundled Chromium');
  });

  it('uses PUPPETEER_EXECUTABLE_PATH when no option is given', async () => {
    const search = fakeSearch({
      executables: ['/env/chrome', '/tmp/chromium'],
      env: { PUPPETEER_EXECUTABLE_PATH: '/env/chrome' },
      bundled: '/tmp/chromium',
    });
    assert.deepEqual(await findBrowser({}, search), {
      executablePath: '/env/chrome',
      source: 'env',
    });
  });

  it('then the bundled Chromium, with the major version its package ships', async () => {
    const search = fakeSearch({
      executables: ['/tmp/chromium', '/usr/bin/chromium'],
      bundled: '/tmp/chromium',
    });
    assert.deepEqual(await findBrowser({}, search), {
      executablePath: '/tmp/chromium',
      source: 'bundled',
      expectedMajor: 147,
    });
  });

  it('then an installed browser, in the order of the system paths', async () => {
    const search = fakeSearch({
      executables: ['/usr/bin/google-chrome'],
      bundled: new Error('Cannot find package'),
    });
    assert.deepEqual(await findBrowser({}, search), {
      executablePath: '/usr/bin/google-chrome',
      source: 'system',
    });
  });

  it('rejects a bad explicit path instead of falling back to another browser', async () => {
    const search = fakeSearch({ executables: ['/tmp/chromium'], bundled: '/tmp/chromium' });
    const error = await rejectsWith(
      findBrowser({ executablePath: '/no/such/chrome' }, search),
      'NO_BROWSER',
    );
    assert.match(error.message, /--browser option is not an executable file: \/no\/such\/chrome/);
    assert.match(error.hint, /--browser/);
    assert.equal(search.bundledCalls, 0);

    const fromEnv = await rejectsWith(
      findBrowser({}, fakeSearch({ executables: [], env: { PUPPETEER_EXECUTABLE_PATH: '/bad' } })),
      'NO_BROWSER',
    );
    assert.match(fromEnv.message, /PUPPETEER_EXECUTABLE_PATH is not an executable file: \/bad/);
    assert.match(fromEnv.hint, /unset it/);
  });

  it('says what it tried when no browser is found', async () => {
    const search = fakeSearch({
      executables: [],
      bundled: new Error('Cannot find package @sparticuz/chromium'),
      systemPaths: ['/a/chromium', '/b/chrome'],
    });
    const error = await rejectsWith(findBrowser({}, search), 'NO_BROWSER');
    assert.deepEqual(error.details, [
      'PUPPETEER_EXECUTABLE_PATH: not set',
      '@sparticuz/chromium: Cannot find package @sparticuz/chromium',
      'installed browsers: none of /a/chromium, /b/chrome',
    ]);
    assert.match(error.hint, /PUPPETEER_EXECUTABLE_PATH/);
  });

  it('reports a bundled binary that is not executable', async () => {
    const search = fakeSearch({ executables: [], bundled: '/tmp/chromium', systemPaths: [] });
    const error = await rejectsWith(findBrowser({}, search), 'NO_BROWSER');
    assert.ok(
      error.details.includes(
        '@sparticuz/chromium: unpacked to /tmp/chromium, which is not executable',
      ),
      error.details.join('\n'),
    );
  });

  it('checks real files for being executable', async () => {
    assert.equal(await isExecutableFile(process.execPath), true);
    assert.equal(
      await isExecutableFile(fileURLToPath(import.meta.url)),
      false,
      'a source file is not executable',
    );
    assert.equal(await isExecutableFile('/no/such/file'), false);
    assert.equal(await isExecutableFile('/usr/bin'), false, 'a directory is not a browser');
  });
});

describe('print/browser: launch options', () => {
  it('keeps only the bundled flags that suit printing', () => {
    const bundled = [
      '--single-process',
      '--disable-web-security',
      "--headless='shell'",
      '--no-zygote',
      '--font-render-hinting=none',
      '--use-gl=angle',
      '--disable-features=AudioServiceOutOfProcess,IsolateOrigins,site-per-process',
    ];
    assert.deepEqual(selectBundledArgs(bundled), ['--no-zygote', '--font-render-hinting=none']);
  });

  it('writes out the flags it keeps from the installed @sparticuz/chromium', async () => {
    const chromium = (await import('@sparticuz/chromium')).default;
    assert.deepEqual(BUNDLED_BROWSER_ARGS, selectBundledArgs(chromium.args));
  });

  it('adds bundled flags only to the bundled browser, without duplicates', () => {
    const bundled = formatLaunchOptions({ executablePath: '/tmp/chromium', source: 'bundled' }, [
      '--no-zygote',
      '--no-sandbox',
    ]);
    assert.equal(bundled.headless, 'shell');
    assert.deepEqual(bundled.args, [...BASE_BROWSER_ARGS, '--no-zygote']);
    const system = formatLaunchOptions({ executablePath: '/usr/bin/chromium', source: 'system' }, [
      '--no-zygote',
    ]);
    assert.deepEqual(system.args, BASE_BROWSER_ARGS);
    for (const flag of [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--host-resolver-rules=MAP * ~NOTFOUND',
    ]) {
      assert.ok(system.args?.includes(flag), flag);
    }
  });
});

describe('print/printer: page URLs', () => {
  it('serves a job under its language on the fake origin', () => {
    assert.equal(formatPageUrl('ja'), 'https://report.tsubame.invalid/ja/index.html');
    assert.equal(
      parseJobPath('https://report.tsubame.invalid/ja/fonts/a%20b.woff2?v=1#x', 'ja'),
      'fonts/a b.woff2',
    );
  });

  it('does not map other origins, other languages or unparsable URLs to job files', () => {
    assert.equal(parseJobPath('https://example.com/ja/fonts/a.woff2', 'ja'), undefined);
    assert.equal(parseJobPath('http://report.tsubame.invalid/ja/fonts/a.woff2', 'ja'), undefined);
    assert.equal(parseJobPath('https://report.tsubame.invalid/en/fonts/a.woff2', 'ja'), undefined);
    assert.equal(parseJobPath('not a url', 'ja'), undefined);
  });
});

describe('print/printer: browser version check', () => {
  const bundled = {
    executablePath: '/tmp/chromium',
    source: 'bundled' as const,
    expectedMajor: 147,
  };

  it('accepts the version the package ships', () => {
    assert.equal(formatVersionWarning(bundled, 'HeadlessChrome/147.0.7727.0'), undefined);
  });

  it('warns about a stale /tmp/chromium from another package version', () => {
    assert.match(
      formatVersionWarning(bundled, 'HeadlessChrome/131.0.6778.85') ?? '',
      /HeadlessChrome\/131.*not the Chromium 147.*delete it/,
    );
  });

  it('does not check browsers that were not unpacked from the package', () => {
    assert.equal(
      formatVersionWarning(
        { executablePath: '/usr/bin/chromium', source: 'system' },
        'Chrome/120.0.0.0',
      ),
      undefined,
    );
  });
});
