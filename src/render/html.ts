/**
 * ReportModel → standalone HTML page, through the Handlebars templates under
 * templates/ (layout `report.hbs`, partials in `templates/partials/`).
 * Static wording is looked up in the templates with `{{t "key"}}`, so the
 * templates hold structure only and every string stays in locales/.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { TFunction } from 'i18next';
import { ReportError } from '../errors.js';
import type { FontFaceFile } from '../fonts/faces.js';
import type { ReportModel } from '../model/report.js';
import { loadFontBase64, renderFontFaceCss, selectFaces } from './fonts-css.js';

export interface ReportTemplates {
  render: (model: ReportModel, data: { t: TFunction; css: string; fontFaceCss: string }) => string;
  css: string;
}

// Latin letters and digits only: Japanese runs have no spaces, so a wider class would take in a whole clause.
const HYPHENATED_WORD = /[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+/g;

/** Loads and compiles the layout and partials. */
export async function loadTemplates(templatesDir: string, assetsDir: string): Promise<ReportTemplates> {
  const hbs = Handlebars.create();
  const partialsDir = join(templatesDir, 'partials');
  const read = async (path: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (cause) {
      throw new ReportError('TEMPLATE_ERROR', `Cannot read ${path}`, { cause });
    }
  };
  for (const file of (await readdir(partialsDir)).filter((f) => f.endsWith('.hbs')).sort())
    hbs.registerPartial(file.slice(0, -'.hbs'.length), await read(join(partialsDir, file)));
  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const t = (options.data as { t?: TFunction }).t;
    if (!t) throw new Error('the t helper needs a translator in @data');
    return t(key, options.hash as Record<string, unknown>);
  });
  // Running text: escaped, with the model's keepTogether phrases ("表2": a line break before the number
  // would part the label) and each hyphenated word (a service name such as www-http: a break after its
  // hyphen would read as two words) kept on one line.
  const unbreakable = new Map<string, RegExp>();
  hbs.registerHelper('prose', (text: string, options: Handlebars.HelperOptions) => {
    const phrases = ((options.data as { root?: Partial<ReportModel> }).root?.keepTogether ?? []).map((p) => hbs.escapeExpression(p));
    const key = phrases.join('\u0000');
    let pattern = unbreakable.get(key);
    if (!pattern) {
      // Longest first, so that "Table 12" wins over "Table 1".
      const alternatives = [...phrases].sort((a, b) => b.length - a.length).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      pattern = new RegExp([...alternatives, HYPHENATED_WORD.source].join('|'), 'g');
      unbreakable.set(key, pattern);
    }
    return new hbs.SafeString(hbs.escapeExpression(text).replace(pattern, (phrase) => `<span class="nobr">${phrase}</span>`));
  });
  const layoutPath = join(templatesDir, 'report.hbs');
  const layout = hbs.compile(await read(layoutPath), { strict: true, preventIndent: true });
  const css = await read(join(assetsDir, 'report.css'));
  return {
    css,
    render: (model, data) => {
      try {
        return layout(model, { data });
      } catch (cause) {
        throw new ReportError('TEMPLATE_ERROR', `${layoutPath} (or one of its partials) failed: ${(cause as Error).message}`, { cause });
      }
    },
  };
}

/** Placeholder swapped for the @font-face rules once the page's characters are known. */
const FONT_SLOT = '/*@font-face-slot*/';

export interface RenderedPage {
  /** The standalone page: CSS, charts and fonts inline. */
  html: string;
  /** The font subsets inlined in it. */
  fonts: FontFaceFile[];
}

/**
 * Renders the page and inlines only the font subsets its characters need, so
 * that the standalone HTML carries a few hundred kilobytes of fonts, not 8 MB.
 */
export async function renderReportHtml(
  model: ReportModel,
  templates: ReportTemplates,
  t: TFunction,
  faces: readonly FontFaceFile[],
): Promise<RenderedPage> {
  const html = templates.render(model, { t, css: templates.css, fontFaceCss: FONT_SLOT });
  const fonts = selectFaces(faces, html);
  const data = new Map(await Promise.all(fonts.map(async (face) => [face, await loadFontBase64(face)] as const)));
  // A function replacement, so that `$` in the CSS is never read as a pattern.
  return { html: html.replace(FONT_SLOT, () => renderFontFaceCss(fonts, (face) => data.get(face)!)), fonts };
}
