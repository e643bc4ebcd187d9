/**
 * Locale files: `locales/<lang>/<namespace>.json`, in i18next JSON v4 format.
 * Japanese is the source language. Every authored string of the report lives
 * there; this module only loads them and builds translators over them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import i18next, { type i18n, type Resource, type TFunction } from 'i18next';
import { ReportError } from '../errors.js';

import type { Lang } from './languages.js';

export { isLang, LANGUAGES, SOURCE_LANGUAGE, type Lang } from './languages.js';

/** Reads every `<lang>/<ns>.json` under `dir` for the given languages. */
export async function loadLocaleResources(dir: string, langs: readonly string[]): Promise<Resource> {
  const resources: Resource = {};
  for (const lang of langs) {
    const langDir = join(dir, lang);
    let files: string[];
    try {
      files = (await readdir(langDir)).filter((f) => f.endsWith('.json')).sort();
    } catch (cause) {
      throw new ReportError('MISSING_TRANSLATION', `No locale directory for "${lang}" at ${langDir}`, { cause });
    }
    resources[lang] = {};
    for (const file of files) {
      const path = join(langDir, file);
      try {
        resources[lang][file.slice(0, -'.json'.length)] = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      } catch (cause) {
        throw new ReportError('MISSING_TRANSLATION', `${path} is not valid JSON: ${(cause as Error).message}`, {
          cause,
          hint: 'Fix the JSON syntax of the locale file.',
        });
      }
    }
  }
  return resources;
}

/** A translator for one language that records every key it could not find. */
export interface Translator {
  lang: Lang;
  t: TFunction;
  /** Whether `ns:key` has a value, an empty string counting as none (nothing is recorded as missing). */
  has(key: string): boolean;
  /** Keys asked for but not found, as `locales/<lang>/<ns>.json: key`. */
  missing(): string[];
}

/** Brackets a missing key in preview output (private-use characters, never in real text). */
export const MISSING_KEY_START = '\uE000';
export const MISSING_KEY_END = '\uE001';

export interface TranslatorOptions {
  /** Namespace of unprefixed keys (default `report`). */
  defaultNS?: string;
  /**
   * Instead of the bare key, return it bracketed by MISSING_KEY_START/END, so
   * that the preview can highlight it in place (the build fails instead).
   */
  markMissing?: boolean;
}

/**
 * Creates a translator. Keys are looked up in the language only, never in the
 * source language: a missing translation must be visible, not papered over.
 */
export async function createTranslator(lang: Lang, resources: Resource, options: TranslatorOptions = {}): Promise<Translator> {
  const defaultNS = options.defaultNS ?? 'report';
  const missing = new Set<string>();
  const instance: i18n = i18next.createInstance();
  await instance.init({
    lng: lang,
    fallbackLng: false,
    resources,
    ns: Object.keys(resources[lang] ?? {}),
    defaultNS,
    interpolation: { escapeValue: false },
    returnNull: false,
    returnEmptyString: false,
    saveMissing: true,
    missingKeyHandler: (_lngs, ns, key) => {
      missing.add(`locales/${lang}/${ns}.json: ${key}`);
    },
    showSupportNotice: false,
    ...(options.markMissing ? { parseMissingKeyHandler: (key: string) => `${MISSING_KEY_START}${key}${MISSING_KEY_END}` } : {}),
  } as Parameters<i18n['init']>[0]);
  // `{{name, capitalize}}`: a value that starts a sentence (en `the United States` → `The United States`).
  instance.services.formatter?.add('capitalize', (value: unknown, lng: string | undefined) => {
    const text = String(value);
    return text.charAt(0).toLocaleUpperCase(lng) + text.slice(1);
  });
  return {
    lang,
    t: instance.t.bind(instance) as TFunction,
    has: (key) => {
      const colon = key.indexOf(':');
      const ns = colon >= 0 ? key.slice(0, colon) : defaultNS;
      const value: unknown = instance.getResource(lang, ns, colon >= 0 ? key.slice(colon + 1) : key);
      return value !== undefined && value !== '';
    },
    missing: () => [...missing].sort(),
  };
}

/** Fails the build when any key was missing, listing them all. */
export function assertNoMissingKeys(translators: readonly Translator[]): void {
  const keys = translators.flatMap((tr) => tr.missing());
  if (keys.length > 0)
    throw new ReportError('MISSING_TRANSLATION', `${keys.length} translation key${keys.length === 1 ? ' is' : 's are'} missing:`, { details: keys });
}
