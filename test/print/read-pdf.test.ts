/**
 * The PDF reader must be able to say no: a hand-made PDF (a fixture built
 * below) with an untagged page, no outline, no title and a non-embedded
 * standard font.
 */
import assert from 'node:assert/strict';
import { readPdf } from '../helpers/pdf.js';

/** Builds a one-page PDF with correct xref offsets from object bodies. */
function formatMinimalPdf(objects: string[]): Buffer {
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

describe('test helper readPdf', () => {
  it('reports an untagged PDF with a non-embedded font as such', async () => {
    const content = 'BT /F1 24 Tf 72 720 Td (Hello telescope) Tj ET';
    const pdf = formatMinimalPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
      `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    ]);
    const summary = await readPdf(pdf);
    assert.equal(summary.pages, 1);
    assert.deepEqual(summary.pageSizes, [{ width: 612, height: 792 }]);
    assert.equal(summary.text[0]?.trim(), 'Hello telescope');
    assert.equal(summary.tagged, false);
    assert.equal(summary.title, undefined);
    assert.equal(summary.lang, undefined);
    assert.deepEqual(summary.outline, []);
    assert.deepEqual(summary.fonts, [
      { name: 'Helvetica', type: 'Type1', composite: false, embedded: false },
    ]);
  });
});
