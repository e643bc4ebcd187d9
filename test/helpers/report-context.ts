/** Shared set-up for tests of the report stages: the real locale files, one translator per language. */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/build.js';
import { createFormatter, type Formatter } from '../../src/i18n/format.js';
import { createTranslator, loadLocaleResources, type Lang, type Translator } from '../../src/i18n/locales.js';
import { loadQuarterStats } from '../../src/stats/load.js';
import type { QuarterStats } from '../../src/stats/schema.js';

/** The labelled statistics fixture (fixtures/stats/2021Q4.json, made by scripts/make-stats-fixture.ts). */
export const FIXTURE_STATS_PATH = join(PACKAGE_ROOT, 'fixtures', 'stats', '2021Q4.json');

export function loadFixtureStats(): Promise<QuarterStats> {
  return loadQuarterStats(FIXTURE_STATS_PATH);
}

export async function loadTranslator(lang: Lang): Promise<{ tr: Translator; fmt: Formatter }> {
  const resources = await loadLocaleResources(join(PACKAGE_ROOT, 'locales'), [lang]);
  const tr = await createTranslator(lang, resources);
  return { tr, fmt: createFormatter(tr) };
}
