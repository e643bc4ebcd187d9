import type { FontFaceFile } from '../fonts/faces.js';

/** URL path, relative to the page, under which the font files are served and written. */
export const FONT_DIR = 'fonts';

/** The faces whose Unicode range covers at least one character of `text`. */
export function selectFaces(faces: readonly FontFaceFile[], text: string): FontFaceFile[] {
  const codePoints = new Set<number>();
  for (const ch of text) codePoints.add(ch.codePointAt(0)!);
  const sorted = [...codePoints].sort((a, b) => a - b);
  return faces.filter((face) =>
    face.ranges.some(([start, end]) => {
      // Binary search for the first code point ≥ start.
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! < start) lo = mid + 1;
        else hi = mid;
      }
      return lo < sorted.length && sorted[lo]! <= end;
    }),
  );
}

function formatRange([start, end]: [number, number]): string {
  const hex = (n: number) => n.toString(16).toUpperCase();
  return start === end ? `U+${hex(start)}` : `U+${hex(start)}-${hex(end)}`;
}

/** @font-face rules for the selected faces, in the package's order (later faces win overlaps). */
export function renderFontFaceCss(faces: readonly FontFaceFile[]): string {
  return faces
    .map(
      (face) =>
        `@font-face{font-family:'${face.family}';font-style:normal;font-weight:${face.weight};font-display:block;` +
        `src:url(${FONT_DIR}/${face.fileName}) format('woff2');unicode-range:${face.ranges.map(formatRange).join(',')}}`,
    )
    .join('\n');
}
