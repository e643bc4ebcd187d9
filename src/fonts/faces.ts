/**
 * The fonts the report is printed with, shipped through npm
 * (@fontsource/noto-sans-jp, regular and bold), so that output never depends
 * on the fonts of the machine.
 *
 * Fontsource splits each weight into subsets by Unicode range. This module
 * reads that split from the package's CSS, so the same faces serve the page's
 * @font-face rules and the chart text measurement.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The family name used in CSS and in the chart specs. */
export const FONT_FAMILY = 'Noto Sans JP';
/** Weights the report uses; each is a real face, never a synthesized bold. */
export const FONT_WEIGHTS = [400, 700] as const;
export type FontWeight = (typeof FONT_WEIGHTS)[number];

export interface FontFaceFile {
  family: string;
  weight: FontWeight;
  /** Absolute path of the woff2 file. */
  path: string;
  /** File name, used as the URL path beside the report. */
  fileName: string;
  /** Inclusive code point ranges this subset covers. */
  ranges: Array<[number, number]>;
}

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('@fontsource/noto-sans-jp/package.json'));

/** `U+4E00-9FFF,U+20AC` → [[0x4e00, 0x9fff], [0x20ac, 0x20ac]]. */
export function parseUnicodeRange(text: string): Array<[number, number]> {
  return text.split(',').map((part) => {
    const [from, to] = part.trim().replace(/^U\+/i, '').split('-');
    const start = parseInt(from ?? '', 16);
    return [start, to === undefined ? start : parseInt(to, 16)];
  });
}

/** Extracts the woff2 faces from a Fontsource CSS file. */
export function parseFontsourceCss(css: string, weight: FontWeight, dir: string): FontFaceFile[] {
  const faces: FontFaceFile[] = [];
  for (const block of css.matchAll(/@font-face\s*{([^}]*)}/g)) {
    const body = block[1] ?? '';
    const file = /url\(\.\/files\/([^)]+\.woff2)\)/.exec(body)?.[1];
    const range = /unicode-range:\s*([^;]+);/.exec(body)?.[1];
    if (!file || !range) continue;
    faces.push({ family: FONT_FAMILY, weight, path: join(dir, 'files', file), fileName: file, ranges: parseUnicodeRange(range) });
  }
  return faces;
}

let cached: Promise<FontFaceFile[]> | undefined;

/** All subset faces of the shipped weights, read once per process. */
export function loadFontFaces(): Promise<FontFaceFile[]> {
  cached ??= Promise.all(
    FONT_WEIGHTS.map(async (weight) =>
      parseFontsourceCss(await readFile(join(packageDir, `${weight}.css`), 'utf8'), weight, packageDir),
    ),
  ).then((lists) => lists.flat());
  return cached;
}

/** The face of `weight` that covers code point `cp`, as the browser would pick it by unicode-range. */
export function faceForCodePoint(faces: readonly FontFaceFile[], weight: FontWeight, cp: number): FontFaceFile | undefined {
  // Fontsource lists the CJK subsets first and the Latin ones last; when ranges
  // overlap, the browser uses the face declared last, so search from the end.
  for (let i = faces.length - 1; i >= 0; i--) {
    const face = faces[i]!;
    if (face.weight !== weight) continue;
    for (const [start, end] of face.ranges) if (cp >= start && cp <= end) return face;
  }
  return undefined;
}
