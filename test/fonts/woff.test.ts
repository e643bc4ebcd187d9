import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as fontkit from 'fontkit';
import { faceForCodePoint, loadFontFaces } from '../../src/fonts/faces.js';
import { parseWoff } from '../../src/fonts/woff.js';

describe('fonts/woff', () => {
  it('rebuilds the same font as the WOFF2 subset, glyph for glyph', async () => {
    const faces = await loadFontFaces();
    for (const [weight, text] of [
      [400, '中国からのパケット'],
      [700, 'Packets per sensor'],
    ] as const) {
      const face = faceForCodePoint(faces, weight, text.codePointAt(0)!)!;
      const fromWoff2 = fontkit.create(await readFile(face.path)) as fontkit.Font;
      const fromWoff = fontkit.create(parseWoff(await readFile(face.path.replace(/\.woff2$/, '.woff')))) as fontkit.Font;
      assert.equal(fromWoff.postscriptName, fromWoff2.postscriptName);
      assert.equal(fromWoff.numGlyphs, fromWoff2.numGlyphs);
      const run = [...text].filter((ch) => faceForCodePoint(faces, weight, ch.codePointAt(0)!) === face).join('');
      assert.ok(run.length > 3);
      assert.equal(fromWoff.layout(run).advanceWidth, fromWoff2.layout(run).advanceWidth);
    }
  });

  it('rejects a file that is not WOFF 1.0', () => {
    assert.throws(() => parseWoff(Buffer.from('wOF2\0\0\0\0\0\0\0\0\0\0\0\0')), /not a WOFF 1\.0 file/);
  });
});
