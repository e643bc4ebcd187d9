/** The report's languages, source language first. Kept free of imports so the CLI can load it at start. */
export const LANGUAGES = ['ja', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const SOURCE_LANGUAGE: Lang = 'ja';

export function isLang(value: string): value is Lang {
  return (LANGUAGES as readonly string[]).includes(value);
}
