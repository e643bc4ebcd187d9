/**
 * Missing translations in the preview: the translator brackets each missing
 * key with private-use characters (MISSING_KEY_START/END); here they become a
 * highlighted <mark> in the page's text, and a plain `[key]` where markup
 * cannot go (inside tags, attribute values, <title>, <svg>).
 */
import { MISSING_KEY_END, MISSING_KEY_START } from '../i18n/locales.js';
import { escapeHtml } from '../model/commentary.js';

const MARKER = new RegExp(`${MISSING_KEY_START}([^${MISSING_KEY_END}]*)${MISSING_KEY_END}`, 'g');
const NO_MARKUP = /(<svg\b[\s\S]*?<\/svg>|<title>[\s\S]*?<\/title>|<style\b[\s\S]*?<\/style>|<[^>]*>)/;

/** Replaces the markers; `describe` may give a translator's note for the key's tooltip. */
export function renderMissingKeyMarks(html: string, describe: (key: string) => string | undefined = () => undefined): string {
  return html
    .split(NO_MARKUP)
    .map((chunk, index) =>
      index % 2 === 1
        ? chunk.replace(MARKER, (_m, key: string) => `[${key}]`)
        : chunk.replace(MARKER, (_m, key: string) => {
            const note = describe(key);
            const title = note ? `${key}: ${note}` : key;
            return `<mark class="missing-key" title="${escapeHtml(title)}">${escapeHtml(key)}</mark>`;
          }),
    )
    .join('');
}
