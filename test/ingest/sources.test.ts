import assert from 'node:assert/strict';
import { loadDefaultGeo } from '../../src/geo/geo.js';
import { SourceKeys, unpackKey, unpackRegion } from '../../src/ingest/sources.js';
import { MEMORY_STORE, openStore } from '../../src/store/store.js';

describe('ingest/sources', () => {
  it('resolves each distinct text as resolve does, whatever its form', async () => {
    const store = await openStore(MEMORY_STORE);
    try {
      const geo = loadDefaultGeo();
      const once = await SourceKeys.load(store, geo);
      const cached = await SourceKeys.load(store, geo);
      const texts = [
        '8.8.8.8',
        ' 8.8.8.8',
        '1.1.1.1 ',
        '::ffff:1.2.3.4',
        '1.2.3.4',
        '2001:DB8::1',
        '010.1.1.1',
        '256.1.1.1',
        '1.2.3',
        'nonsense',
        '',
        '0.0.0.0',
      ];
      for (const text of texts) {
        const expected = cached.resolve(text);
        const actual = once.resolveDistinct(text);
        assert.equal(actual, expected, JSON.stringify(text));
        if (expected >= 0) assert.ok(unpackKey(actual) >= 0 && unpackRegion(actual) >= 0);
      }
      assert.equal(once.resolveDistinct('8.8.8.8'), cached.resolve('8.8.8.8'));
      assert.notEqual(once.resolveDistinct('8.8.8.8'), once.resolveDistinct('1.1.1.1'));
    } finally {
      store.close();
    }
  });

  it('keeps its cache within its limit, resolving as before, IPv6 keys included', async () => {
    const store = await openStore(MEMORY_STORE);
    try {
      const geo = loadDefaultGeo();
      const small = await SourceKeys.load(store, geo, { cacheLimit: 4 });
      const reference = await SourceKeys.load(store, geo);
      const texts = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `2001:db8::${i + 1}` : `8.8.${i}.8`));
      for (const round of [1, 2])
        for (const text of texts) {
          assert.equal(small.resolve(text), reference.resolve(text), `${text}, round ${round}`);
          assert.ok(small.cached <= 4, `${small.cached} texts cached`);
        }
      assert.equal(reference.cached, texts.length);
    } finally {
      store.close();
    }
  });
});
