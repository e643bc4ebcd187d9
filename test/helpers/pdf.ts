/**
 * Reading a printed PDF back, so tests check what a reader gets (text, fonts,
 * tags, outline, pages) instead of comparing bytes.
 *
 * Everything comes from pdfjs-dist's public API. Fonts are the ones the pages'
 * content actually selects (including inside form XObjects), found by walking
 * each page's operator list for setFont and asking pdfjs for the font it
 * parsed: its declared type, whether a font program is embedded
 * (`missingFile`), and whether it is a Type 3 font.
 */
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';

/** One entry of the PDF's outline (bookmarks). */
export interface PdfOutlineItem {
  title: string;
  children: PdfOutlineItem[];
}

/** A font used by the document's pages. */
export interface PdfFont {
  /** The /BaseFont name, with its subset prefix (e.g. `AAAAAA+NotoSansJP-Regular`). */
  name: string;
  /**
   * The font's type: for a composite (Type0) font, its descendant's
   * (`CIDFontType2`, `CIDFontType0`); otherwise `TrueType`, `Type1`, `Type3`…
   */
  type: string;
  /** True for a Type0 (composite) font. */
  composite: boolean;
  /** A font program is in the file; Type 3 glyphs are drawn by the file's own procedures, so count as embedded. */
  embedded: boolean;
}

/** What a reader of the PDF sees. */
export interface PdfSummary {
  pages: number;
  /** Text of each page, lines separated by newlines. */
  text: string[];
  /** Page sizes in PDF points (1/72 inch). */
  pageSizes: Array<{ width: number; height: number }>;
  title?: string;
  /** The catalog's /Lang. */
  lang?: string;
  /** MarkInfo /Marked is true and the document has a structure tree. */
  tagged: boolean;
  outline: PdfOutlineItem[];
  fonts: PdfFont[];
}

interface PdfjsFont {
  name?: string;
  type?: string;
  composite?: boolean;
  missingFile?: boolean;
  isType3Font?: boolean;
}

interface RawOutlineItem {
  title: string;
  items: RawOutlineItem[];
}

function parseOutline(items: readonly RawOutlineItem[] | null): PdfOutlineItem[] {
  return (items ?? []).map((item) => ({ title: item.title, children: parseOutline(item.items) }));
}

/** Reads a PDF's pages, text, metadata, structure, outline and fonts. */
export async function readPdf(buffer: Uint8Array): Promise<PdfSummary> {
  const document = await pdfjs.getDocument({
    // pdfjs takes ownership of (detaches) the array it is given.
    data: new Uint8Array(buffer),
    fontExtraProperties: true,
    disableFontFace: true,
    useSystemFonts: false,
    isEvalSupported: false,
    verbosity: 0,
  }).promise;
  try {
    const { info } = (await document.getMetadata()) as {
      info: { Title?: string; Language?: string | null };
    };
    const markInfo = await document.getMarkInfo();
    const text: string[] = [];
    const pageSizes: Array<{ width: number; height: number }> = [];
    const fonts = new Map<string, PdfFont>();
    let hasStructTree = false;

    for (let number = 1; number <= document.numPages; number++) {
      const page = await document.getPage(number);
      const [x0, y0, x1, y1] = page.view as [number, number, number, number];
      pageSizes.push({ width: x1 - x0, height: y1 - y0 });

      const content = await page.getTextContent();
      text.push(
        content.items
          .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
          .join(''),
      );

      if (await page.getStructTree()) hasStructTree = true;

      const operators = await page.getOperatorList();
      operators.fnArray.forEach((fn, index) => {
        if (fn !== pdfjs.OPS.setFont) return;
        const id = (operators.argsArray[index] as [string])[0];
        if (fonts.has(id)) return;
        const font = page.commonObjs.get(id) as PdfjsFont;
        const isType3 = font.isType3Font === true || font.type === 'Type3';
        fonts.set(id, {
          name: font.name ?? '',
          type: isType3 ? 'Type3' : (font.type ?? 'unknown'),
          composite: font.composite === true,
          embedded: isType3 || font.missingFile === false,
        });
      });
      page.cleanup();
    }

    return {
      pages: document.numPages,
      text,
      pageSizes,
      ...(info.Title ? { title: info.Title } : {}),
      ...(info.Language ? { lang: info.Language } : {}),
      tagged: markInfo?.Marked === true && hasStructTree,
      outline: parseOutline((await document.getOutline()) as RawOutlineItem[] | null),
      fonts: [...fonts.values()],
    };
  } finally {
    await document.destroy();
  }
}
