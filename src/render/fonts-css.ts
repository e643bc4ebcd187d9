import { readFile } from 'node:fs/promises';
import type { FontFaceFile } from '../fonts/faces.js';

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

/**
 * @font-face rules for the selected faces, in the package's order (later faces
 * win overlaps), each with its woff2 file inlined as a data: URL so that the
 * page is one standalone file and printing it needs no further request.
 */
export function renderFontFaceCss(faces: readonly FontFaceFile[], base64Of: (face: FontFaceFile) => string): string {
  return faces
    .map(
      (face) =>
        `@font-face{font-family:'${face.family}';font-style:normal;font-weight:${face.weight};font-display:block;` +
        `src:url(data:font/woff2;base64,${base64Of(face)}) format('woff2');unicode-range:${face.ranges.map(formatRange).join(',')}}`,
    )
    .join('\n');
}

const base64Cache = new Map<string, Promise<string>>();

/** Reads a face's woff2 file as base64, once per process. */
export function loadFontBase64(face: FontFaceFile): Promise<string> {
  let data = base64Cache.get(face.path);
  if (!data) {
    data = readFile(face.path).then((bytes) => bytes.toString('base64'));
    base64Cache.set(face.path, data);
  }
  return data;
}
