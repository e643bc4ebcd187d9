import assert from 'node:assert/strict';
import * as fontkit from 'fontkit';
import * as vega from 'vega';
import { createTextMeasurer, renderChart, type TextMeasurer } from '../../src/charts/index.js';
import { faceForCodePoint, loadFontFaces, type FontFaceFile } from '../../src/fonts/faces.js';

/** Width straight from fontkit: the sum of each character's advance in the face that covers it. */
function fontkitAdvance(
  faces: FontFaceFile[],
  text: string,
  size: number,
  weight: 400 | 700 = 400,
): number {
  let units = 0;
  for (const ch of text) {
    const font = fontkit.openSync(
      faceForCodePoint(faces, weight, ch.codePointAt(0)!)!.path,
    ) as fontkit.Font;
    units += (font.glyphForCodePoint(ch.codePointAt(0)!).advanceWidth / font.unitsPerEm) * size;
  }
  return units;
}

describe('charts/measure', () => {
  let faces: FontFaceFile[];
  let measurer: TextMeasurer;
  before(async () => {
    faces = await loadFontFaces();
    measurer = createTextMeasurer(faces);
  });

  it('measures 中国 at 11px as 22px, two full-width advances', () => {
    assert.equal(measurer.width('中国', 11), 22);
  });

  it('matches fontkit advance widths for full-width labels, in both weights', () => {
    for (const text of [
      'シンガポール',
      'ロシア',
      '送信元アドレス数の割合',
      '今四半期',
      'アラブ首長国連邦',
    ]) {
      for (const weight of [400, 700] as const) {
        const expected = fontkitAdvance(faces, text, 11, weight);
        assert.ok(
          Math.abs(measurer.width(text, 11, weight) - expected) < 1e-9,
          `${text} ${weight}: ${measurer.width(text, 11, weight)} vs ${expected}`,
        );
      }
    }
  });

  it('shapes Latin runs with kerning, as the browser does', () => {
    const face = faceForCodePoint(faces, 400, 'T'.codePointAt(0)!)!;
    const font = fontkit.openSync(face.path) as fontkit.Font;
    const expected = (font.layout('6379/TCP Oct').advanceWidth / font.unitsPerEm) * 12;
    assert.ok(Math.abs(measurer.width('6379/TCP Oct', 12) - expected) < 1e-9);
    // Bold Latin is wider: the weight picks a different face.
    assert.ok(measurer.width('6379/TCP', 11, 700) > measurer.width('6379/TCP', 11, 400));
  });

  it('is what Vega uses once a chart has been rendered', async () => {
    await renderChart({
      data: { values: [{ a: '中国' }] },
      mark: 'text',
      encoding: { text: { field: 'a' } },
      config: { font: 'Noto Sans JP' },
    });
    const metrics = (
      vega as unknown as { textMetrics: { width: (item: object, text: string) => number } }
    ).textMetrics;
    assert.equal(metrics.width({ fontSize: 11 }, '中国'), 22);
    // Vega's own estimate would have been 0.8 em per character.
    assert.notEqual(metrics.width({ fontSize: 11 }, '中国'), Math.floor(0.8 * 2 * 11));
    assert.equal(
      metrics.width({ fontSize: 11, fontWeight: 'bold' }, 'シンガポール'),
      fontkitAdvance(faces, 'シンガポール', 11, 700),
    );
  });
});
