/**
 * The translators' check: every language's locale files compared with the
 * source language (ja), and the completeness of each file.
 *
 *   loadLocaleTree     locales/<lang>/<ns>.json and locales/_context/<ns>.json, read as-is
 *   checkLocaleTree    pure: problems (missing, extra, empty, placeholders, plural forms,
 *                      markup, untranslated) and the status of each language and namespace
 *
 * The check reads the files itself rather than through `loadLocaleResources`,
 * because a broken file must become one problem in the list, not end the run.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ReportError } from '../errors.js';
import { LANGUAGES, SOURCE_LANGUAGE } from './languages.js';

/** One problem in one locale file. `key` is dotted (`overview.intro`), empty for the file as a whole. */
export interface LocaleProblem {
  level: 'error' | 'warning';
  /** The file, relative to the parent of the locales directory: `locales/en/report.json`. */
  file: string;
  key: string;
  message: string;
  /** What the key is for, from `locales/_context/<ns>.json`, when there is a description. */
  description?: string;
}

/** Completeness of one namespace in one language, counted in the source language's keys. */
export interface NamespaceStatus {
  lang: string;
  namespace: string;
  /** Source keys (a plural family counts once) the language has, non-empty and not a copy of the source. */
  translated: number;
  /** Keys in the source language's file. */
  total: number;
  errors: number;
  warnings: number;
  /** Keys may be left out by design (the `regions` namespace): the platform's name stands in. */
  optional: boolean;
}

/** The outcome of checking a locales directory. */
export interface LocaleReport {
  /** Languages checked, source language first. */
  languages: string[];
  /** The source language's namespaces. */
  namespaces: string[];
  problems: LocaleProblem[];
  status: NamespaceStatus[];
  errorCount: number;
  warningCount: number;
}

/** What translators are told about one key, from `locales/_context/<ns>.json`. */
export interface KeyContext {
  description?: string;
  /** The value is meant to be the same in every language (a URL, a product name). */
  sameAsSource?: boolean;
  /**
   * The placeholders the code passes. When given, each language may use any of
   * them (a date pattern needs `{{month}}` in ja but `{{monthName}}` in en), and
   * placeholders are checked against this list instead of against the source.
   */
  placeholders?: string[];
}

/** A file as read: its parsed JSON, or why it could not be parsed. */
export type LoadedFile = { json: unknown } | { unreadable: string };

/** The locale files as read from disk, before any comparison. */
export interface LocaleTree {
  /** The locales directory's own name, which starts every file name in problems. */
  root: string;
  /** lang → namespace → file. Languages are the directories not starting with `_` or `.`. */
  langs: Map<string, Map<string, LoadedFile>>;
  /** namespace → context file. */
  context: Map<string, LoadedFile>;
}

/** Namespaces whose keys each language may leave out (the platform's name is used instead). */
const OPTIONAL_KEY_NAMESPACES = new Set(['regions']);

/** Commentary namespaces are named after their quarter; only they carry `**bold**` and `*em*`. */
const COMMENTARY_NAMESPACE = /^\d{4}Q[1-4]$/;

const CONTEXT_DIR = '_context';
const PLURAL_SUFFIX = /^(.+)_(zero|one|two|few|many|other)$/;
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const TAG = /<(\/?)([A-Za-z0-9][\w-]*)[^<>]*?(\/?)>/g;
const VOID_TAGS = new Set(['br', 'hr', 'img', 'wbr']);

// ---------------------------------------------------------------------------
// Reading

async function readJsonFile(path: string): Promise<LoadedFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    return {
      unreadable: `cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
    };
  }
  try {
    return { json: JSON.parse(text) as unknown };
  } catch (cause) {
    return { unreadable: `not valid JSON: ${describeJsonError(text, (cause as Error).message)}` };
  }
}

/** Adds the line and column to V8's `at position N`, which is hard to find by hand. */
function describeJsonError(text: string, message: string): string {
  const match = /at position (\d+)/.exec(message);
  if (!match || /line \d+/.test(message)) return message;
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

async function readJsonDir(dir: string): Promise<Map<string, LoadedFile>> {
  const files = new Map<string, LoadedFile>();
  const names = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  for (const name of names)
    files.set(name.slice(0, -'.json'.length), await readJsonFile(join(dir, name)));
  return files;
}

/** Reads every language directory and the context directory under `dir`. */
export async function loadLocaleTree(dir: string): Promise<LocaleTree> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    throw new ReportError(
      'LOCALE_CHECK_FAILED',
      `Cannot read the locales directory ${dir}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      {
        cause,
        hint: 'Pass --locales DIR, the directory that holds <lang>/<namespace>.json.',
      },
    );
  }
  const langs = new Map<string, Map<string, LoadedFile>>();
  let context = new Map<string, LoadedFile>();
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (entry.name === CONTEXT_DIR) context = await readJsonDir(join(dir, entry.name));
    else if (!entry.name.startsWith('_'))
      langs.set(entry.name, await readJsonDir(join(dir, entry.name)));
  }
  return { root: basename(dir), langs, context };
}

/** Reads and checks the locales directory `dir` (e.g. the package's `locales/`). */
export async function checkLocales(dir: string): Promise<LocaleReport> {
  return checkLocaleTree(await loadLocaleTree(dir));
}

// ---------------------------------------------------------------------------
// Parsing values

/** A key as the code asks for it: a plain value, or a plural family (`x_one`, `x_other`) by its base `x`. */
interface Unit {
  plain?: unknown;
  /** Plural category → value. */
  forms: Map<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(
  value: Record<string, unknown>,
  prefix = '',
  into = new Map<string, unknown>(),
): Map<string, unknown> {
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isRecord(child)) flatten(child, path, into);
    else into.set(path, child);
  }
  return into;
}

/** Groups flattened keys into units, in document order. */
function parseUnits(json: Record<string, unknown>): Map<string, Unit> {
  const units = new Map<string, Unit>();
  for (const [key, value] of flatten(json)) {
    const plural = PLURAL_SUFFIX.exec(key);
    const base = plural ? plural[1]! : key;
    let unit = units.get(base);
    if (!unit) units.set(base, (unit = { forms: new Map() }));
    if (plural) unit.forms.set(plural[2]!, value);
    else unit.plain = value;
  }
  return units;
}

/** The unit's leaves as full keys and values. */
function leaves(base: string, unit: Unit): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if ('plain' in unit) out.push([base, unit.plain]);
  for (const [category, value] of unit.forms) out.push([`${base}_${category}`, value]);
  return out;
}

/** Placeholder names in a value: `{{share}}`, `{{- name}}` and `{{value, number}}` give share, name, value. */
export function parsePlaceholders(value: string): Set<string> {
  const names = new Set<string>();
  for (const match of value.matchAll(PLACEHOLDER)) {
    const name = match[1]!
      .replace(/^\s*-\s*/, '')
      .split(',')[0]!
      .trim();
    if (name) names.add(name);
  }
  return names;
}

/** Markup problems in one value: `{{ }}` and `<tag>` always; `**` and `*` in commentary. */
export function parseMarkupProblems(value: string, commentary: boolean): string[] {
  const problems: string[] = [];
  let open = false;
  for (const match of value.matchAll(/\{\{|\}\}/g)) {
    if (match[0] === '{{') {
      if (open) problems.push('unbalanced markup: "{{" without "}}"');
      open = true;
    } else if (open) open = false;
    else problems.push('unbalanced markup: "}}" without "{{"');
  }
  if (open) problems.push('unbalanced markup: "{{" without "}}"');

  const stack: string[] = [];
  for (const match of value.matchAll(TAG)) {
    const [, closing, name, selfClosing] = match;
    const tag = name!.toLowerCase();
    if (selfClosing || VOID_TAGS.has(tag)) continue;
    if (!closing) stack.push(tag);
    else if (stack.at(-1) === tag) stack.pop();
    else problems.push(`unbalanced markup: </${tag}> without <${tag}>`);
  }
  for (const tag of stack) problems.push(`unbalanced markup: <${tag}> without </${tag}>`);

  if (commentary) {
    // The same pairs as renderCommentary (src/model/commentary.ts) turns into markup,
    // paragraph by paragraph; a star left over would reach the page as a literal star.
    for (const paragraph of value.split(/\n\s*\n/)) {
      const rest = paragraph.replace(/\*\*([^*\n]+)\*\*/g, '$1').replace(/\*([^*\n]+)\*/g, '$1');
      if (rest.includes('**')) problems.push('unbalanced markup: "**" without its pair');
      else if (rest.includes('*')) problems.push('unbalanced markup: "*" without its pair');
    }
  }
  return [...new Set(problems)];
}

/** Whether a value says anything in words, once placeholders are taken out (`—` and `{{key}}（{{service}}）` do not). */
function hasLetters(value: string): boolean {
  return /\p{L}/u.test(value.replace(PLACEHOLDER, ''));
}

function formatPlaceholders(names: Iterable<string>): string {
  return [...names].map((n) => `{{${n}}}`).join(', ');
}

function formatSuffixes(categories: Iterable<string>): string {
  return [...categories].map((c) => `_${c}`).join(', ');
}

// ---------------------------------------------------------------------------
// Context

type ContextTable = Map<string, Map<string, KeyContext>>;

function parseKeyContext(value: unknown): KeyContext | undefined {
  if (typeof value === 'string') return { description: value };
  if (!isRecord(value)) return undefined;
  const known = new Set(['description', 'sameAsSource', 'placeholders']);
  if (Object.keys(value).some((k) => !known.has(k))) return undefined;
  const { description, sameAsSource, placeholders } = value;
  if (description !== undefined && typeof description !== 'string') return undefined;
  if (sameAsSource !== undefined && typeof sameAsSource !== 'boolean') return undefined;
  if (
    placeholders !== undefined &&
    !(Array.isArray(placeholders) && placeholders.every((p) => typeof p === 'string'))
  )
    return undefined;
  return { description, sameAsSource, placeholders: placeholders as string[] | undefined };
}

function parseContext(
  tree: LocaleTree,
  sourceUnits: Map<string, Map<string, Unit>>,
  problems: LocaleProblem[],
): ContextTable {
  const table: ContextTable = new Map();
  for (const [namespace, loaded] of tree.context) {
    const file = `${tree.root}/${CONTEXT_DIR}/${namespace}.json`;
    if ('unreadable' in loaded) {
      problems.push({ level: 'error', file, key: '', message: loaded.unreadable });
      continue;
    }
    if (!isRecord(loaded.json)) {
      problems.push({
        level: 'error',
        file,
        key: '',
        message: 'expected an object of dotted keys',
      });
      continue;
    }
    const units = sourceUnits.get(namespace);
    if (!units)
      problems.push({
        level: 'warning',
        file,
        key: '',
        message: `describes a namespace that is not in ${SOURCE_LANGUAGE}`,
      });
    const entries = new Map<string, KeyContext>();
    for (const [key, value] of Object.entries(loaded.json)) {
      const context = parseKeyContext(value);
      if (!context) {
        problems.push({
          level: 'error',
          file,
          key,
          message: 'expected a description, or { "description", "sameAsSource", "placeholders" }',
        });
        continue;
      }
      entries.set(key, context);
      const base = PLURAL_SUFFIX.exec(key)?.[1];
      if (units && !units.has(key) && !(base && units.get(base)?.forms.size))
        problems.push({
          level: 'warning',
          file,
          key,
          message: `describes a key that is not in ${SOURCE_LANGUAGE}`,
        });
    }
    table.set(namespace, entries);
  }
  return table;
}

// ---------------------------------------------------------------------------
// Comparison

function orderLanguages(langs: Iterable<string>): string[] {
  const rank = (lang: string) => {
    if (lang === SOURCE_LANGUAGE) return -1;
    const i = (LANGUAGES as readonly string[]).indexOf(lang);
    return i === -1 ? LANGUAGES.length : i;
  };
  return [...langs].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function pluralCategories(lang: string): string[] | undefined {
  try {
    const order = ['zero', 'one', 'two', 'few', 'many', 'other'];
    // Intl lists them in no fixed order; CLDR's order reads best in messages.
    return [...new Intl.PluralRules(lang).resolvedOptions().pluralCategories].sort(
      (a, b) => order.indexOf(a) - order.indexOf(b),
    );
  } catch {
    return undefined;
  }
}

/** Compares every language with the source language. Pure: the files come in as read. */
export function checkLocaleTree(tree: LocaleTree): LocaleReport {
  const problems: LocaleProblem[] = [];
  const status: NamespaceStatus[] = [];
  const languages = orderLanguages(new Set([...LANGUAGES, ...tree.langs.keys()]));
  const sourceFiles = tree.langs.get(SOURCE_LANGUAGE);
  if (!sourceFiles)
    problems.push({
      level: 'error',
      file: `${tree.root}/${SOURCE_LANGUAGE}/`,
      key: '',
      message: 'missing: the source language is needed to check the others',
    });

  // The source language's units, per readable namespace.
  const sourceUnits = new Map<string, Map<string, Unit>>();
  for (const [namespace, loaded] of sourceFiles ?? [])
    if ('json' in loaded && isRecord(loaded.json))
      sourceUnits.set(namespace, parseUnits(loaded.json));
  const namespaces = [...(sourceFiles?.keys() ?? [])];
  const contextProblems: LocaleProblem[] = [];
  const context = parseContext(tree, sourceUnits, contextProblems);

  for (const lang of sourceFiles ? languages : []) {
    const files = tree.langs.get(lang);
    if (!files) {
      problems.push({ level: 'error', file: `${tree.root}/${lang}/`, key: '', message: 'missing' });
      for (const namespace of namespaces)
        status.push({
          lang,
          namespace,
          translated: 0,
          total: sourceUnits.get(namespace)?.size ?? 0,
          errors: 0,
          warnings: 0,
          optional: OPTIONAL_KEY_NAMESPACES.has(namespace),
        });
      continue;
    }
    const categories = pluralCategories(lang);
    if (!categories)
      problems.push({
        level: 'error',
        file: `${tree.root}/${lang}/`,
        key: '',
        message: 'not a language tag that Intl.PluralRules knows',
      });
    if (!(LANGUAGES as readonly string[]).includes(lang))
      problems.push({
        level: 'warning',
        file: `${tree.root}/${lang}/`,
        key: '',
        message: `checked, but not a language of the report (LANGUAGES: ${LANGUAGES.join(', ')})`,
      });

    for (const namespace of new Set([...namespaces, ...files.keys()])) {
      const file = `${tree.root}/${lang}/${namespace}.json`;
      const before = problems.length;
      const translated = checkNamespace({
        lang,
        namespace,
        file,
        loaded: files.get(namespace),
        source: sourceUnits.get(namespace),
        inSource: sourceFiles!.has(namespace),
        categories: categories ?? ['other'],
        context: context.get(namespace) ?? new Map(),
        problems,
      });
      if (!sourceFiles!.has(namespace)) continue;
      const added = problems.slice(before);
      status.push({
        lang,
        namespace,
        translated,
        total: sourceUnits.get(namespace)?.size ?? 0,
        errors: added.filter((p) => p.level === 'error').length,
        warnings: added.filter((p) => p.level === 'warning').length,
        optional: OPTIONAL_KEY_NAMESPACES.has(namespace),
      });
    }
  }
  problems.push(...contextProblems);
  return {
    languages,
    namespaces,
    problems,
    status,
    errorCount: problems.filter((p) => p.level === 'error').length,
    warningCount: problems.filter((p) => p.level === 'warning').length,
  };
}

interface NamespaceInput {
  lang: string;
  namespace: string;
  file: string;
  loaded: LoadedFile | undefined;
  /** The source language's units; undefined when its file is missing or unreadable. */
  source: Map<string, Unit> | undefined;
  /** Whether the source language has a file for this namespace (readable or not). */
  inSource: boolean;
  categories: string[];
  context: Map<string, KeyContext>;
  problems: LocaleProblem[];
}

/** Checks one file against the source; returns how many source units it translates. */
function checkNamespace(input: NamespaceInput): number {
  const { lang, namespace, file, loaded, source, categories, context, problems } = input;
  const isSource = lang === SOURCE_LANGUAGE;
  const optional = OPTIONAL_KEY_NAMESPACES.has(namespace);
  const commentary = COMMENTARY_NAMESPACE.test(namespace);
  const contextOf = (base: string, key: string) => context.get(key) ?? context.get(base);
  const report = (level: LocaleProblem['level'], key: string, message: string, base = key) => {
    const description = contextOf(base, key)?.description;
    problems.push({ level, file, key, message, ...(description ? { description } : {}) });
  };

  if (!loaded) {
    report('error', '', 'missing');
    return 0;
  }
  if (!input.inSource) {
    report('error', '', `extra: there is no ${SOURCE_LANGUAGE}/${namespace}.json`);
    return 0;
  }
  if ('unreadable' in loaded) {
    report('error', '', loaded.unreadable);
    return 0;
  }
  if (!isRecord(loaded.json)) {
    report('error', '', 'expected an object of keys');
    return 0;
  }
  if (!source) return 0; // the source file itself is broken; that is reported under the source language
  const units = isSource ? source : parseUnits(loaded.json);
  let translated = 0;

  /** Checks one value on its own; returns whether it is a usable string. */
  const checkValue = (base: string, key: string, value: unknown): value is string => {
    if (typeof value !== 'string') {
      report(
        'error',
        key,
        `expected a string, found ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}`,
        base,
      );
      return false;
    }
    if (value.trim() === '') {
      report('error', key, 'empty', base);
      return false;
    }
    for (const message of parseMarkupProblems(value, commentary))
      report('error', key, message, base);
    const allowed = contextOf(base, key)?.placeholders;
    if (allowed) {
      const unknown = [...parsePlaceholders(value)].filter((p) => !allowed.includes(p));
      if (unknown.length > 0)
        report(
          'error',
          key,
          `unknown placeholder ${formatPlaceholders(unknown)}: the code passes ${formatPlaceholders(allowed)}`,
          base,
        );
    }
    return true;
  };

  for (const [base, sourceUnit] of source) {
    const unit = units.get(base);
    if (!unit) {
      if (optional) continue;
      if (sourceUnit.forms.size > 0)
        for (const category of categories) report('error', `${base}_${category}`, 'missing', base);
      else report('error', base, 'missing');
      continue;
    }
    let complete = true;
    const sourcePlural = sourceUnit.forms.size > 0;
    const plural = unit.forms.size > 0;
    if (sourcePlural !== plural && !isSource) {
      report(
        'error',
        base,
        sourcePlural
          ? `plural forms differ: ${SOURCE_LANGUAGE} has ${formatSuffixes(sourceUnit.forms.keys())}, ${lang} has none`
          : `plural forms differ: ${SOURCE_LANGUAGE} has none, ${lang} has ${formatSuffixes(unit.forms.keys())}`,
      );
      complete = false;
    }
    if (plural) {
      const uses = `${lang} uses ${formatSuffixes(categories)}`;
      for (const category of categories)
        if (!unit.forms.has(category)) {
          report('error', `${base}_${category}`, `missing plural form (${uses})`, base);
          complete = false;
        }
      for (const category of unit.forms.keys())
        if (!categories.includes(category))
          report('error', `${base}_${category}`, `plural form not used in ${lang} (${uses})`, base);
    }

    const sourcePlaceholders = new Set(
      leaves(base, sourceUnit).flatMap(([, v]) =>
        typeof v === 'string' ? [...parsePlaceholders(v)] : [],
      ),
    );
    const keyContext = contextOf(base, base);
    for (const [key, value] of leaves(base, unit)) {
      if (!checkValue(base, key, value)) {
        complete = false;
        continue;
      }
      if (isSource) continue;
      if (!keyContext?.placeholders) {
        // i18next passes {{count}} to every form of a plural key, so a form may use it or not.
        const own = parsePlaceholders(value);
        if (plural || sourcePlural) {
          own.delete('count');
          sourcePlaceholders.delete('count');
        }
        const onlySource = [...sourcePlaceholders].filter((p) => !own.has(p));
        const onlyHere = [...own].filter((p) => !sourcePlaceholders.has(p));
        if (onlySource.length > 0 || onlyHere.length > 0) {
          const sourceSide =
            onlySource.length > 0
              ? `${SOURCE_LANGUAGE} has ${formatPlaceholders(onlySource)}`
              : `${SOURCE_LANGUAGE} does not`;
          const ownSide =
            onlyHere.length > 0
              ? `${lang} has ${formatPlaceholders(onlyHere)}`
              : `${lang} does not`;
          report(
            'error',
            key,
            `placeholders differ: ${onlySource.length > 0 ? `${sourceSide}, ${ownSide}` : `${ownSide}, ${sourceSide}`}`,
            base,
          );
        }
      }
      const category = PLURAL_SUFFIX.exec(key)?.[2];
      const sourceValue = category ? sourceUnit.forms.get(category) : sourceUnit.plain;
      if (
        value === sourceValue &&
        hasLetters(value) &&
        !keyContext?.sameAsSource &&
        !contextOf(base, key)?.sameAsSource
      ) {
        report('warning', key, `same as the source (${SOURCE_LANGUAGE})`, base);
        complete = false;
      }
    }
    if (complete) translated++;
  }

  if (!isSource && !optional)
    for (const [base, unit] of units) {
      if (source.has(base)) continue;
      for (const [key] of leaves(base, unit))
        report('error', key, `extra: not in ${SOURCE_LANGUAGE}`, base);
    }
  if (!isSource && optional)
    for (const [base, unit] of units)
      if (!source.has(base))
        for (const [key, value] of leaves(base, unit)) checkValue(base, key, value);
  return translated;
}

// ---------------------------------------------------------------------------
// Output

/** One problem as printed: `locales/en/report.json: overview.intro — missing`. */
export function formatProblem(problem: LocaleProblem): string {
  const where = problem.key ? `${problem.file}: ${problem.key}` : problem.file;
  return `${problem.level === 'warning' ? 'warning: ' : ''}${where} — ${problem.message}`;
}

/** Every problem, each followed by its key's description (indented) when there is one. */
export function formatProblems(report: LocaleReport): string[] {
  const lines: string[] = [];
  for (const problem of report.problems) {
    lines.push(formatProblem(problem));
    if (problem.description)
      for (const line of problem.description.split('\n')) lines.push(`    ${line}`);
  }
  return lines;
}

/** `2 errors, 1 warning`. */
export function formatProblemCount(report: LocaleReport): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(report.errorCount, 'error')}, ${plural(report.warningCount, 'warning')}`;
}

function formatPercent(translated: number, total: number): string {
  // Rounded down, so that 100% means nothing at all is left.
  return total === 0 ? '—' : `${Math.floor((translated / total) * 100)}%`;
}

/** The completeness table: one row per language and namespace, then one per language. */
export function formatStatusTable(report: LocaleReport): string[] {
  const header = ['language', 'namespace', 'translated', 'total', '%', 'errors', 'warnings'];
  const rows: string[][] = [];
  for (const lang of report.languages) {
    const own = report.status.filter((s) => s.lang === lang);
    if (own.length === 0) continue;
    for (const s of own)
      rows.push([
        lang,
        s.optional ? `${s.namespace} *` : s.namespace,
        String(s.translated),
        String(s.total),
        formatPercent(s.translated, s.total),
        String(s.errors),
        String(s.warnings),
      ]);
    const required = own.filter((s) => !s.optional);
    const sum = (pick: (s: NamespaceStatus) => number, of = own) =>
      of.reduce((n, s) => n + pick(s), 0);
    const translated = sum((s) => s.translated, required);
    const total = sum((s) => s.total, required);
    rows.push([
      lang,
      'all but *',
      String(translated),
      String(total),
      formatPercent(translated, total),
      String(sum((s) => s.errors)),
      String(sum((s) => s.warnings)),
    ]);
  }
  const numeric = [false, false, true, true, true, true, true];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  if (report.status.some((s) => s.optional))
    out.push(
      '* optional keys: where a language has no entry, the platform’s name (Intl.DisplayNames) is used',
    );
  return out;
}

/**
 * The translators' notes of `locales/_context/`, as a lookup for the preview:
 * `overview.intro` (the default namespace `report`) or `charts:axis.date`.
 * A plural family's note serves each of its forms.
 */
export async function loadKeyDescriptions(dir: string, defaultNS = 'report'): Promise<(key: string) => string | undefined> {
  const context = (await loadLocaleTree(dir)).context;
  return (key) => {
    const colon = key.indexOf(':');
    const namespace = colon >= 0 ? key.slice(0, colon) : defaultNS;
    const path = colon >= 0 ? key.slice(colon + 1) : key;
    const loaded = context.get(namespace);
    if (!loaded || 'unreadable' in loaded || !isRecord(loaded.json)) return undefined;
    const entry = loaded.json[path] ?? loaded.json[PLURAL_SUFFIX.exec(path)?.[1] ?? ''];
    return parseKeyContext(entry)?.description;
  };
}
