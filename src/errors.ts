/**
 * Errors the user can act on. Each has a stable code, a message that says
 * what happened, and a hint that says what to do. The CLI's top-level handler
 * prints message + hint and sets the exit code; a stack appears only with --debug.
 *
 * Every user-facing error message is written here, in one catalogue.
 */

export type ErrorCode = keyof typeof catalogue;

/** Exit codes: 2 for bad input (statistics, config, data), 3 for environment problems, 1 otherwise. */
const catalogue = {
  STATS_INVALID: {
    exit: 2,
    title: 'Invalid statistics',
    hint: 'Fix the fields listed above, or regenerate the file with `tsubame-report stats`. The format is described by schema/quarter-stats.schema.json.',
  },
  STATS_UNREADABLE: {
    exit: 2,
    title: 'Statistics file cannot be read',
    hint: 'Check the path given with --stats, and that the file is JSON.',
  },
  QUARTER_MISMATCH: {
    exit: 2,
    title: 'Quarter does not match the statistics',
    hint: 'Pass the quarter the statistics were made for, or omit --quarter.',
  },
  BAD_ARGUMENT: {
    exit: 2,
    title: 'Invalid command-line argument',
    hint: 'Run the command with --help to see the accepted values.',
  },
  MISSING_TRANSLATION: {
    exit: 2,
    title: 'Missing translations',
    hint: 'Add the keys listed above to the locale files under locales/<lang>/.',
  },
  TEMPLATE_ERROR: {
    exit: 2,
    title: 'Template error',
    hint: 'Fix the template named above (templates/).',
  },
  CHART_SPEC_INVALID: {
    exit: 2,
    title: 'Invalid chart specification',
    hint: 'Fix the Vega-Lite specification named above (templates/charts/).',
  },
  NO_BROWSER: {
    exit: 3,
    title: 'No browser found to print the PDF',
    hint: 'Run `npm ci` so that @sparticuz/chromium is installed, set PUPPETEER_EXECUTABLE_PATH (or --browser) to a Chrome or Chromium binary, or install one (Debian: `apt-get install chromium`).',
  },
  BROWSER_FAILED: {
    exit: 3,
    title: 'The browser failed while printing',
    hint: 'Run again with --debug for details. Set PUPPETEER_EXECUTABLE_PATH to try another Chrome or Chromium.',
  },
  BLOCKED_REQUEST: {
    exit: 2,
    title: 'The report tried to load something from outside the build',
    hint: 'Remove the reference named above from the templates, locales or statistics: the report must be self-contained.',
  },
  WRITE_FAILED: {
    exit: 1,
    title: 'Cannot write the output',
    hint: 'Check that the output directory (--out) is writable.',
  },
  INPUT_INVALID: {
    exit: 2,
    title: 'Invalid input data',
    hint: 'Fix or remove the rows listed above, or raise --max-errors to accept them as rejected rows.',
  },
  CONFIG_INVALID: {
    exit: 2,
    title: 'Invalid configuration',
    hint: 'Fix the keys listed above in the configuration file.',
  },
  NO_DATA: {
    exit: 2,
    title: 'No data',
    hint: 'Ingest the quarter’s packet logs first with `tsubame-report ingest`.',
  },
  MANIFEST_INVALID: {
    exit: 2,
    title: 'Invalid sensor manifest',
    hint: 'Fix the rows listed above in the manifest (sensor,country[,address][,active_from][,active_to]).',
  },
  STORE_FAILED: {
    exit: 3,
    title: 'The observation store cannot be used',
    hint: 'Check the --store path; another tsubame-report process may hold the store open.',
  },
  LOCALE_CHECK_FAILED: {
    exit: 2,
    title: 'The locale files have errors',
    hint: 'Fix each problem listed above in the locale files (locales/<lang>/<namespace>.json); docs/translators.md explains each kind.',
  },
  CAPTURE_FAILED: {
    exit: 1,
    title: 'The capture reader failed',
    hint: 'Nothing from this ingest was stored. Run again with --debug for details; if the file reads with `tcpdump -r`, report this as a bug with the output.',
  },
} as const satisfies Record<string, { exit: number; title: string; hint: string }>;

export class ReportError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly exitCode: number;
  /** Detail lines, such as each invalid field or each missing key. */
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: { details?: readonly string[]; cause?: unknown; hint?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ReportError';
    this.code = code;
    const entry = catalogue[code];
    this.hint = options.hint ?? entry.hint;
    this.exitCode = entry.exit;
    this.details = options.details ?? [];
  }

  get title(): string {
    return catalogue[this.code].title;
  }
}

/**
 * Whether `error` is a ReportError. Checked by shape as well as by class: a
 * module loaded twice (once as CommonJS, once as ESM, as a test runner may do)
 * has two ReportError classes, and its errors must still be reported as such.
 */
export function isReportError(error: unknown): error is ReportError {
  if (error instanceof ReportError) return true;
  if (!(error instanceof Error) || error.name !== 'ReportError') return false;
  const e = error as Partial<ReportError>;
  return typeof e.code === 'string' && typeof e.hint === 'string' && typeof e.exitCode === 'number' && Array.isArray(e.details);
}

/** Formats an error for the terminal: title, message, details, hint; the stack only when asked. */
export function formatError(error: unknown, debug: boolean): string {
  if (isReportError(error)) {
    const lines = [`error[${error.code}]: ${error.title}`, `  ${error.message}`];
    for (const detail of error.details) lines.push(`    ${detail}`);
    lines.push(`  hint: ${error.hint}`);
    if (debug && error.stack) lines.push(error.stack);
    if (debug && error.cause instanceof Error && error.cause.stack) lines.push(`cause: ${error.cause.stack}`);
    return lines.join('\n');
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = [`error[INTERNAL]: ${message}`, '  hint: this is a bug in tsubame-report; run again with --debug and report the output.'];
  if (debug && error instanceof Error && error.stack) lines.push(error.stack);
  return lines.join('\n');
}

export function exitCodeOf(error: unknown): number {
  return isReportError(error) ? error.exitCode : 1;
}
