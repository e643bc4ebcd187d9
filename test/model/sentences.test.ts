import assert from 'node:assert/strict';
import { joinSentences } from '../../src/i18n/format.js';
import type { Lang } from '../../src/i18n/locales.js';
import {
  formatFocusSentences,
  formatGrowthSentence,
  formatPortSentences,
  formatRankChangeSentences,
  type SentenceContext,
} from '../../src/model/sentences.js';
import type { FocusSection, RankedPort, RankedRegion } from '../../src/stats/schema.js';
import { loadTranslator } from '../helpers/report-context.js';

async function context(lang: Lang): Promise<SentenceContext> {
  const { tr, fmt } = await loadTranslator(lang);
  return { t: tr.t, fmt };
}

function port(rank: number, p: number, previousRank: RankedPort['previousRank'], growth: number | null = 1): RankedPort {
  return { rank, port: p, proto: 'tcp', service: null, value: 100 - rank, packets: 1000, previousRank, growth };
}

function region(rank: number, code: string, previousRank: RankedRegion['previousRank'], mainPort?: number): RankedRegion {
  return { rank, region: code, value: 100 - rank, packets: 1000, previousRank, ...(mainPort ? { mainPort: { port: mainPort, proto: 'tcp' as const } } : {}) };
}

describe('model/sentences', () => {
  it('states growth to one decimal, and claims no ratio without a first window', async () => {
    const ja = await context('ja');
    const en = await context('en');
    assert.equal(formatGrowthSentence(ja, '6379/TCP', 1.78), '6379/TCP宛のパケットは、四半期を通じて約1.8倍に増加しました。');
    assert.equal(formatGrowthSentence(en, '6379/TCP', 1.78), 'Packets to 6379/TCP rose about 1.8 times over the quarter.');
    assert.match(formatGrowthSentence(en, '23/TCP', 0.42)!, /fell to about 0\.4 times/);
    // 1.04 prints as 1.0: neither a rise nor a fall.
    assert.match(formatGrowthSentence(ja, '22/TCP', 1.04)!, /ほぼ同じ水準（約1\.0倍）/);
    assert.equal(formatGrowthSentence(ja, '22/TCP', null), null);
  });

  it('names the top port and the notable growth among the top 5', async () => {
    const en = await context('en');
    const ports = [port(1, 6379, 2, 1.8), port(2, 23, 1, 1.1), port(3, 22, 3, 2.5), port(4, 445, 4, null)];
    const sentences = formatPortSentences(en, ports);
    assert.deepEqual(sentences, [
      'Most packets were sent to 6379/TCP.',
      'Packets to 6379/TCP rose about 1.8 times over the quarter.',
      'Packets to 22/TCP rose about 2.5 times over the quarter.',
    ]);
  });

  it('describes who overtook whom and who entered the top 5', async () => {
    const ja = await context('ja');
    const en = await context('en');
    const name = (r: RankedRegion) => en.fmt.regionInText(r.region);
    const regions = [region(1, 'US', 1), region(2, 'GB', 3), region(3, 'RU', 2), region(4, 'CN', 4), region(5, 'SG', 'outside', 6379)];
    const driver = (r: RankedRegion) => (r.mainPort ? en.fmt.portKey(r.mainPort.port, r.mainPort.proto) : null);
    // Running text names a region as a sentence does ("the United Kingdom"), capitalised where it starts one.
    assert.deepEqual(formatRankChangeSentences(en, regions, name, driver), [
      'The United Kingdom overtook Russia.',
      'Singapore entered the top 5 at rank 5, driven by packets to 6379/TCP.',
    ]);
    const entered = [region(1, 'CN', 1), region(2, 'NL', 'outside')];
    assert.deepEqual(formatRankChangeSentences(en, entered, name), ['The Netherlands entered the top 5 at rank 2.']);
    const jaName = (r: RankedRegion) => ja.fmt.region(r.region);
    assert.deepEqual(formatRankChangeSentences(ja, regions, jaName), [
      '英国はロシアを上回り、順位が入れ替わりました。',
      'シンガポールが5位となり、新たに上位5件に入りました。',
    ]);
  });

  it('lists everyone an entry overtook, and says so when nothing moved', async () => {
    const en = await context('en');
    const name = (r: RankedRegion) => r.region;
    const climbed = [region(1, 'CN', 3), region(2, 'US', 1), region(3, 'GB', 2)];
    assert.deepEqual(formatRankChangeSentences(en, climbed, name), ['CN overtook US and GB.']);
    const still = [region(1, 'US', 1), region(2, 'GB', 2)];
    assert.deepEqual(formatRankChangeSentences(en, still, name), ['The top 5 were the same as in the previous quarter, in the same order.']);
    const unknown = [region(1, 'US', 'unknown'), region(2, 'GB', 'unknown')];
    assert.deepEqual(formatRankChangeSentences(en, unknown, name), [
      'There is no data for the previous quarter, so rank changes cannot be compared.',
    ]);
  });

  it('builds the focus sentences from the section’s figures', async () => {
    const focus: FocusSection = {
      id: '6379-tcp',
      port: 6379,
      proto: 'tcp',
      service: 'redis',
      packets: 1000,
      value: 10,
      growth: 1.5,
      daily: [],
      regionShares: [
        { region: 'CN', packets: 885, share: 0.885, growth: 1.46 },
        { region: 'SG', packets: 65, share: 0.065, growth: null },
        { region: 'US', packets: 50, share: 0.05, growth: 1 },
      ],
      regionSeries: [],
      sourceShares: [{ region: 'CN', sources: 90, share: 0.9, previousShare: 0.8 }],
      distinctSources: { current: 100, previous: 1 },
      honeypot: { name: 'redis', threshold: 5, sources: 40, overlap: 22, share: 0.55 },
    };
    const en = await context('en');
    const paragraphs = formatFocusSentences(en, focus).map(joinSentences);
    assert.deepEqual(paragraphs, [
      'Packets to 6379/TCP rose about 1.5 times over the quarter. 89% of the packets to 6379/TCP came from China, followed by Singapore and the United States.',
      'Packets to 6379/TCP from China rose about 1.5 times over the quarter.',
      'The share of the source IP addresses sending to 6379/TCP that were in China went from 80% in the previous quarter to 90%. 100 distinct source IP addresses sent packets to 6379/TCP, against 1 in the previous quarter.',
      'Of the 40 addresses that accessed the redis honeypot at least 5 times, 22 (55%) were also seen by the sensors sending to 6379/TCP.',
    ]);
    const fromUs = formatFocusSentences(en, {
      ...focus,
      regionShares: [{ region: 'US', packets: 885, share: 0.885, growth: 1.46 }],
      sourceShares: [{ region: 'US', sources: 90, share: 0.9, previousShare: null }],
    }).map(joinSentences);
    assert.match(fromUs[0]!, /came from the United States\./);
    assert.match(fromUs[1]!, /^Packets to 6379\/TCP from the United States rose/);
    assert.match(fromUs[2]!, /^The United States accounted for 90% of the source IP addresses/);
    const ja = await context('ja');
    const jaParagraphs = formatFocusSentences(ja, { ...focus, honeypot: null }).map(joinSentences);
    assert.equal(jaParagraphs.length, 3);
    assert.equal(jaParagraphs[0], '6379/TCP宛のパケットは、四半期を通じて約1.5倍に増加しました。6379/TCP宛のパケットの89%は中国からのもので、次いでシンガポール、米国からのパケットが観測されました。');
  });

  it('joins sentences with a space only after Latin punctuation', () => {
    assert.equal(joinSentences(['A.', 'B.']), 'A. B.');
    assert.equal(joinSentences(['あ。', 'い。']), 'あ。い。');
  });
});
