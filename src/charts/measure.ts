/**
 * Text measurement for chart layout with the printed font.
 *
 * Vega sizes axes and legends from text widths. Without a canvas it guesses
 * 0.8 em per character, which is about 20% short for full-width (Japanese)
 * text, so legend labels would be clipped or overlap. Here widths are the
 * advance widths of the shipped Noto Sans JP faces, shaped with fontkit, the
 * same glyphs the page's web fonts draw.
 */
import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import * as vega from 'vega';
import { faceForCodePoint, type FontFaceFile, type FontWeight } from '../fonts/faces.js';
import { parseWoff } from '../fonts/woff.js';

/** Measures the advance width in pixels of one line of text. */
export interface TextMeasurer {
  /** Width of `text` at `fontSize` px in the given weight (400 or 700). */
  width(text: string, fontSize: number, weight?: FontWeight): number;
}

/** A Vega text item, as far as measurement needs it. */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

/** Width of one em for code points no shipped face covers: a browser falls back to another font, so this can only be a guess. */
function fallbackEm(cp: number): number {
  return isWide(cp) ? 1 : 0.6;
}

/** East Asian wide and full-width ranges that matter for the report's text. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/**
 * Creates a measurer over the given faces. Each subset file is read and
 * parsed the first time a code point it covers is measured, then kept: a
 * report touches only a few of the ~120 subsets per weight.
 */
export function createTextMeasurer(faces: readonly FontFaceFile[]): TextMeasurer {
  const fonts = new Map<string, fontkit.Font>();
  // Per (weight, text) width in font units per em; chart text repeats a lot (ticks, labels).
  const cache = new Map<string, number>();

  const fontOf = (face: FontFaceFile): fontkit.Font => {
    let font = fonts.get(face.path);
    if (!font) {
      // Synchronous on purpose: Vega asks for widths synchronously during layout.
      // The WOFF 1.0 twin of the subset, inflated natively (see fonts/woff.ts): same glyphs, faster to open.
      font = fontkit.create(parseWoff(readFileSync(face.path.replace(/\.woff2$/, '.woff')))) as fontkit.Font;
      fonts.set(face.path, font);
    }
    return font;
  };

  /** Width in em of `text`, shaped run by run where consecutive characters share a face. */
  const emWidth = (text: string, weight: FontWeight): number => {
    const key = `${weight} ${text}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    let total = 0;
    let run = '';
    let runFace: FontFaceFile | undefined;
    const flush = () => {
      if (run && runFace) {
        const font = fontOf(runFace);
        total += font.layout(run).advanceWidth / font.unitsPerEm;
      }
      run = '';
    };
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const face = faceForCodePoint(faces, weight, cp);
      if (!face) {
        flush();
        runFace = undefined;
        total += fallbackEm(cp);
        continue;
      }
      if (face !== runFace) {
        flush();
        runFace = face;
      }
      run += ch;
    }
    flush();
    cache.set(key, total);
    return total;
  };

  return {
    width: (text, fontSize, weight = 400) => (text ? emWidth(text, weight) * fontSize : 0),
  };
}

/** CSS weight → the shipped face: 600 and above, or `bold`, draws with the bold face. */
export function parseFontWeight(weight: number | string | undefined): FontWeight {
  if (weight === undefined || weight === null) return 400;
  if (typeof weight === 'number') return weight >= 600 ? 700 : 400;
  if (weight === 'bold' || weight === 'bolder') return 700;
  const n = Number(weight);
  return Number.isFinite(n) && n >= 600 ? 700 : 400;
}

let installed: TextMeasurer | undefined;

/**
 * Makes Vega measure text with `measurer` from now on, in this process.
 * Vega keeps its text metrics in one module-level object, so this is global;
 * installing again replaces the previous measurer.
 */
export function installTextMeasurer(measurer: TextMeasurer): void {
  installed = measurer;
  const width = (item: TextItem, text?: unknown): number => {
    const size = item.fontSize != null ? +item.fontSize || 0 : 11;
    const line = text == null ? '' : String(text).trim();
    if (size <= 0 || !line) return 0;
    const w = measurer.width(line, size, parseFontWeight(item.fontWeight));
    // A label with a limit is drawn truncated to it (Vega truncates with an ellipsis).
    return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
  // Vega calls whichever function sits in `width`; `estimateWidth` is replaced
  // too so that no code path falls back to the 0.8 em guess.
  // vega re-exports vega-scenegraph's `textMetrics` but its typings omit it.
  const metrics = (vega as unknown as { textMetrics: Record<string, unknown> }).textMetrics;
  metrics.width = width;
  metrics.estimateWidth = width;
}

/** The measurer installed in Vega, if any. */
export function installedTextMeasurer(): TextMeasurer | undefined {
  return installed;
}
