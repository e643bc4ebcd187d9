/**
 * Finding a Chrome or Chromium to print with, and the flags it is launched with.
 *
 * Order of search:
 *   1. an explicit path (the `executablePath` option, then PUPPETEER_EXECUTABLE_PATH);
 *   2. the Chromium shipped inside the npm package @sparticuz/chromium;
 *   3. an installed Chrome or Chromium at the usual Linux paths.
 *
 * An explicit path that does not work is an error, never a silent fallback:
 * whoever set it expects that browser to be used.
 */
import { constants, existsSync } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LaunchOptions } from 'puppeteer';
import { ReportError } from '../errors.js';

/** Where the browser came from, which decides the flags it gets. */
export type BrowserSource = 'option' | 'env' | 'bundled' | 'system';

/** A browser binary that exists and is executable. */
export interface BrowserLocation {
  executablePath: string;
  source: BrowserSource;
  /**
   * For the bundled Chromium, the Chromium major version the npm package ships
   * (its package version): the binary it unpacks to /tmp/chromium is reused
   * across runs, so the version actually launched is checked against this.
   */
  expectedMajor?: number;
}

/** The places findBrowser looks in; injected so tests control them. */
export interface BrowserSearch {
  env: Readonly<Record<string, string | undefined>>;
  /** Unpacks the bundled Chromium and returns its path, with the package's version. */
  loadBundled: () => Promise<{ executablePath: string; version: string }>;
  /** Installed browsers, in order of preference. */
  systemPaths: readonly string[];
  isExecutable: (path: string) => Promise<boolean>;
}

/** Usual install paths of Chrome and Chromium on Linux. */
export const SYSTEM_BROWSER_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/snap/bin/chromium',
];

const require = createRequire(import.meta.url);

let bundled: Promise<{ executablePath: string; version: string }> | undefined;

/**
 * Unpacks @sparticuz/chromium's binary (to /tmp/chromium, once per machine).
 * The package takes an existing /tmp/chromium as finished, so two printers
 * opened at once in one process must share one unpacking.
 */
export function loadBundledChromium(): Promise<{ executablePath: string; version: string }> {
  if (!bundled) {
    bundled = unpackBundledChromium();
    // A failed unpacking may be retried by the next printer.
    bundled.catch(() => {
      bundled = undefined;
    });
  }
  return bundled;
}

async function unpackBundledChromium(): Promise<{ executablePath: string; version: string }> {
  const version = await readPackageVersion('@sparticuz/chromium');
  // The package's own rule: a binary already at /tmp/chromium is the unpacked one. Taking it
  // here spares loading the package on every build's way to starting the browser.
  const unpacked = join(tmpdir(), 'chromium');
  if (existsSync(unpacked)) return { executablePath: unpacked, version };
  const chromium = (await import('@sparticuz/chromium')).default;
  return { executablePath: await chromium.executablePath(), version };
}

/** The version in an installed package's package.json (which the package does not export). */
async function readPackageVersion(name: string): Promise<string> {
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === name && manifest.version) return manifest.version;
    } catch {
      // No package.json at this level: keep climbing.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package.json of ${name}`);
    dir = parent;
  }
}

export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const defaultSearch: BrowserSearch = {
  env: process.env,
  loadBundled: loadBundledChromium,
  systemPaths: SYSTEM_BROWSER_PATHS,
  isExecutable: isExecutableFile,
};

/** Finds the browser to print with; throws NO_BROWSER naming every place tried. */
export async function findBrowser(
  options: { executablePath?: string },
  search: Partial<BrowserSearch> = {},
): Promise<BrowserLocation> {
  const { env, loadBundled, systemPaths, isExecutable } = { ...defaultSearch, ...search };

  const explicit = options.executablePath
    ? { path: options.executablePath, source: 'option' as const, name: 'the --browser option' }
    : env['PUPPETEER_EXECUTABLE_PATH']
      ? {
          path: env['PUPPETEER_EXECUTABLE_PATH'],
          source: 'env' as const,
          name: 'PUPPETEER_EXECUTABLE_PATH',
        }
      : undefined;
  if (explicit) {
    if (await isExecutable(explicit.path))
      return { executablePath: explicit.path, source: explicit.source };
    throw new ReportError(
      'NO_BROWSER',
      `The browser given by ${explicit.name} is not an executable file: ${explicit.path}`,
      {
        hint:
          explicit.source === 'env'
            ? 'Fix the path in PUPPETEER_EXECUTABLE_PATH, or unset it to use the Chromium shipped with @sparticuz/chromium.'
            : 'Fix the path given with --browser, or leave it out to use the Chromium shipped with @sparticuz/chromium.',
      },
    );
  }

  const tried: string[] = ['PUPPETEER_EXECUTABLE_PATH: not set'];
  try {
    const bundled = await loadBundled();
    if (await isExecutable(bundled.executablePath)) {
      const major = Number.parseInt(bundled.version, 10);
      return {
        executablePath: bundled.executablePath,
        source: 'bundled',
        ...(Number.isFinite(major) ? { expectedMajor: major } : {}),
      };
    }
    tried.push(
      `@sparticuz/chromium: unpacked to ${bundled.executablePath}, which is not executable`,
    );
  } catch (error) {
    tried.push(`@sparticuz/chromium: ${error instanceof Error ? error.message : String(error)}`);
  }

  for (const path of systemPaths) {
    if (await isExecutable(path)) return { executablePath: path, source: 'system' };
  }
  tried.push(`installed browsers: none of ${systemPaths.join(', ')}`);

  throw new ReportError('NO_BROWSER', 'No Chrome or Chromium was found.', { details: tried });
}

/**
 * Flags for every launch. Besides the ones a root, offline machine needs, two
 * keep the page from reaching the network by any path that request
 * interception does not see (DNS prefetch, preconnect, service-worker or
 * WebSocket traffic): every host name resolves to nothing, and any connection
 * that is still attempted goes to a proxy on the loopback discard port, where
 * nothing listens. The report's own files never reach either: they are served
 * by interception.
 */
export const BASE_BROWSER_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-domain-reliability',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--no-pings',
  // Glyph positions that do not depend on the machine's hinting settings.
  '--font-render-hinting=none',
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
];

/**
 * The flags @sparticuz/chromium recommends that are dropped: they are for
 * AWS Lambda or for WebGL, or they weaken the page's isolation, which a
 * report printer never wants. `--single-process` in particular would put
 * every concurrently printed page in one renderer.
 */
const DROPPED_BUNDLED_ARGS = [
  '--single-process',
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
  '--disable-setuid-sandbox',
  '--headless',
  '--in-process-gpu',
  '--ignore-gpu-blocklist',
  '--use-gl',
  '--use-angle',
  '--enable-unsafe-swiftshader',
  '--disable-webgl',
  '--enable-features',
  '--disable-features',
  '--disable-print-preview',
  '--disk-cache-size',
  '--ash-no-nudges',
];

/** Keeps the bundled package's flags that suit printing (see DROPPED_BUNDLED_ARGS). */
export function selectBundledArgs(args: readonly string[]): string[] {
  return args.filter((arg) => !DROPPED_BUNDLED_ARGS.includes(arg.split('=')[0] ?? arg));
}

/**
 * @sparticuz/chromium's recommended flags that selectBundledArgs keeps, for
 * the version installed (a test keeps the two in step): written out, so that
 * starting the bundled browser does not wait for the package to load.
 */
export const BUNDLED_BROWSER_ARGS: readonly string[] = [
  '--disable-domain-reliability',
  '--no-default-browser-check',
  '--no-pings',
  '--font-render-hinting=none',
  '--no-sandbox',
  '--no-zygote',
];

/** Finds the browser and returns it with the launch options every print uses. */
export async function loadLaunchOptions(
  options: { executablePath?: string },
  search: Partial<BrowserSearch> = {},
): Promise<{ location: BrowserLocation; launchOptions: LaunchOptions }> {
  const location = await findBrowser(options, search);
  const bundledArgs = location.source === 'bundled' ? BUNDLED_BROWSER_ARGS : [];
  return { location, launchOptions: formatLaunchOptions(location, bundledArgs) };
}

/**
 * Puppeteer launch options for a browser. Headless 'shell' mode: the bundled
 * binary is a headless shell, and for a full Chrome it means plain `--headless`.
 * Puppeteer gives each launch a fresh temporary user-data-dir and removes it on close.
 */
export function formatLaunchOptions(
  location: BrowserLocation,
  bundledArgs: readonly string[] = [],
): LaunchOptions {
  const extra = location.source === 'bundled' ? bundledArgs : [];
  return {
    executablePath: location.executablePath,
    headless: 'shell',
    // DevTools over a pipe: no endpoint to read from stderr and no WebSocket handshake,
    // so the browser is ready sooner while the build is busy drawing charts.
    pipe: true,
    args: [...new Set([...BASE_BROWSER_ARGS, ...extra])],
    protocolTimeout: 120_000,
  };
}
