import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as fontkit from 'fontkit';
import { faceForCodePoint, loadFontFaces } from '../../src/fonts/faces.js';
import { parseWoff } from '../../src/fonts/woff.js';

describe('fonts/woff', () => {
  it('rebuilds the same font as the WOFF2 subset, glyph for glyph', async () => {
    const faces = await loadFontFaces();
    const opened = new Map<string, [fontkit.Font, fontkit.Font]>();
    for (const [weight, text] of [
      [400, '中国からのパケット'],
      [700, 'Packets per sensor 米国'],
    ] as const) {
      for (const ch of text) {
        const face = faceForCodePoint(faces, weight, ch.codePointAt(0)!)!;
        let pair = opened.get(face.path);
        if (!pair) {
          pair = [
            fontkit.create(await readFile(face.path)) as fontkit.Font,
            fontkit.create(parseWoff(await readFile(face.path.replace(/\.woff2$/, '.woff')))) as fontkit.Font,
          ];
          opened.set(face.path, pair);
        }
        const [fromWoff2, fromWoff] = pair;
        assert.equal(fromWoff.numGlyphs, fromWoff2.numGlyphs, face.fileName);
        assert.equal(fromWoff.unitsPerEm, fromWoff2.unitsPerEm, face.fileName);
        const cp = ch.codePointAt(0)!;
        assert.equal(fromWoff.glyphForCodePoint(cp).advanceWidth, fromWoff2.glyphForCodePoint(cp).advanceWidth, `${ch} in ${face.fileName}`);
      }
    }
    assert.ok(opened.size >= 3, 'the text spans several subsets');
  });

  it('rejects a file that is not WOFF 1.0', () => {
    assert.throws(() => parseWoff(Buffer.from('wOF2\0\0\0\0\0\0\0\0\0\0\0\0')), /not a WOFF 1\.0 file/);
  });
});
