/**
 * `tsubame-report i18n check` and `tsubame-report i18n status`: the
 * translators' tools. The CLI imports every command module at start, so this
 * one imports the check itself only when one of its commands runs.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { ReportError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';

export interface I18nCommandOptions {
  /** The locales directory; default: the package's `locales/`. */
  locales?: string;
}

/** Where the commands print: the program's output, so that `main(argv, io)` captures it. */
export type WriteOut = (text: string) => void;

function resolveLocalesDir(options: I18nCommandOptions): string {
  return options.locales ?? join(PACKAGE_ROOT, 'locales');
}

/** Prints every problem in the locale files; throws LOCALE_CHECK_FAILED when any is an error. */
export async function runI18nCheck(options: I18nCommandOptions, write: WriteOut): Promise<void> {
  const { checkLocales, formatProblemCount, formatProblems } = await import('../i18n/check.js');
  const dir = resolveLocalesDir(options);
  const report = await checkLocales(dir);
  const lines = formatProblems(report);
  const summary = `${formatProblemCount(report)} in ${dir} (${report.languages.join(', ')}; ${report.namespaces.length} namespaces)`;
  write(`${[...lines, ...(lines.length > 0 ? [''] : []), summary].join('\n')}\n`);
  if (report.errorCount > 0)
    throw new ReportError(
      'LOCALE_CHECK_FAILED',
      `${formatProblemCount(report)} in ${dir}, listed above.`,
    );
}

/** Prints the completeness table. Errors are counted in it, not raised: this is a report, not a gate. */
export async function runI18nStatus(options: I18nCommandOptions, write: WriteOut): Promise<void> {
  const { checkLocales, formatStatusTable } = await import('../i18n/check.js');
  const report = await checkLocales(resolveLocalesDir(options));
  write(`${formatStatusTable(report).join('\n')}\n`);
}

function writeOutOf(command: Command): WriteOut {
  const configured = command.configureOutput().writeOut;
  return configured ? (text) => configured(text) : (text) => void process.stdout.write(text);
}

export function registerI18nCommand(program: Command): void {
  const i18n = program
    .command('i18n')
    .description(
      'Tools for translators: check the locale files, and show how complete each language is.',
    );
  const localesOption = [
    '--locales <dir>',
    'locales directory, holding <lang>/<namespace>.json and _context/',
    join(PACKAGE_ROOT, 'locales'),
  ] as const;
  i18n
    .command('check')
    .description(
      'Compare every language with the Japanese source: missing, extra and empty keys, placeholders, plural forms, markup, and values left untranslated. Exits non-zero on any error.',
    )
    .option(...localesOption)
    .action(async (opts: I18nCommandOptions, command: Command) =>
      runI18nCheck(opts, writeOutOf(command)),
    );
  i18n
    .command('status')
    .description(
      'Show, for each language and namespace, how many of the source keys are translated, with the errors and warnings in each file.',
    )
    .option(...localesOption)
    .action(async (opts: I18nCommandOptions, command: Command) =>
      runI18nStatus(opts, writeOutOf(command)),
    );
}
