/**
 * A small report-like page for the print tests (a fixture, not the real
 * template): Japanese and English text in the shipped Noto Sans JP faces,
 * served from a files map as the renderer would, with h1/h2 headings and page
 * numbers in an @page margin box.
 */
import { readFile } from 'node:fs/promises';
import { loadFontFaces, type FontFaceFile, type FontWeight } from '../../src/fonts/faces.js';
import type { PrintFile, PrintJob } from '../../src/print/printer.js';

function formatRange([start, end]: [number, number]): string {
  const hex = (cp: number) => cp.toString(16).toUpperCase();
  return start === end ? `U+${hex(start)}` : `U+${hex(start)}-${hex(end)}`;
}

/** @font-face rules for the given faces, with URLs relative to the page. */
export function formatFontFaceCss(faces: readonly FontFaceFile[]): string {
  return faces
    .map(
      (face) =>
        `@font-face { font-family: '${face.family}'; font-weight: ${face.weight}; font-style: normal; ` +
        `src: url(fonts/${face.fileName}) format('woff2'); unicode-range: ${face.ranges.map(formatRange).join(',')}; }`,
    )
    .join('\n');
}

/** The files map for the given faces; each file is read only if the page asks for it. */
export function formatFontFiles(faces: readonly FontFaceFile[]): Map<string, PrintFile> {
  return new Map(
    faces.map((face) => [
      `fonts/${face.fileName}`,
      { body: () => readFile(face.path), contentType: 'font/woff2' },
    ]),
  );
}

export interface SamplePageOptions {
  lang?: 'ja' | 'en';
  title?: string;
  /** Extra markup at the end of the body. */
  extraBody?: string;
  /** Only these weights get @font-face rules (to provoke a synthesized bold). */
  weights?: readonly FontWeight[];
}

/** A two-page sample job. */
export async function loadSampleJob(options: SamplePageOptions = {}): Promise<PrintJob> {
  const lang = options.lang ?? 'ja';
  const title = options.title ?? 'ダークネット観測報告 2021年第4四半期 / Darknet report 2021Q4';
  const weights = options.weights ?? [400, 700];
  const faces = (await loadFontFaces()).filter((face) => weights.includes(face.weight));
  const html = `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
${formatFontFaceCss(faces)}
@page {
  size: A4;
  margin: 20mm 18mm 22mm;
  @bottom-center { content: "– " counter(page) " –"; font-family: 'Noto Sans JP'; font-size: 9pt; }
}
html { font-family: 'Noto Sans JP'; font-size: 10.5pt; }
h1, h2 { font-weight: 700; }
.next { break-before: page; }
</style>
</head>
<body>
<h1>ダークネット観測報告</h1>
<p>本報告は2021年10月から12月までの観測結果をまとめたものです。This report summarises what the sensors received.</p>
<h2>概要 Overview</h2>
<p>6379/TCP宛てのパケットは前四半期の約1.8倍に増加しました。Packets to 6379/TCP rose about 1.8 times.</p>
<h2 class="next">注目すべき事象 Notable phenomena</h2>
<p>送信元の88%が一つの地域からでした。88% of the sources were in one region.</p>
${options.extraBody ?? ''}
</body>
</html>
`;
  return { lang, html, files: formatFontFiles(faces), title: `${lang} sample report` };
}
