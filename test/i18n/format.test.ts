import assert from 'node:assert/strict';
import { loadTranslator } from '../helpers/report-context.js';

describe('i18n/format', () => {
  it('formats numbers, shares and ratios per language', async () => {
    const { fmt: ja } = await loadTranslator('ja');
    const { fmt: en } = await loadTranslator('en');
    assert.equal(ja.number(1234567), '1,234,567');
    assert.equal(en.number(592.84, 1), '592.8');
    assert.equal(ja.percent(0.8849), '88%');
    assert.equal(en.percent(0.0449), '4.5%');
    assert.equal(ja.ratio(1.7849), '約1.8倍');
    assert.equal(en.ratio(1.7849), 'about 1.8 times');
  });

  it('writes the quarter as each language does', async () => {
    const { fmt: ja } = await loadTranslator('ja');
    const { fmt: en } = await loadTranslator('en');
    assert.equal(ja.period('2021-10-01', '2021-12-31'), '2021年10～12月');
    assert.equal(en.period('2021-10-01', '2021-12-31'), 'October–December 2021');
    assert.equal(ja.date('2021-11-05'), '2021年11月5日');
    assert.equal(en.date('2021-11-05'), 'November 5, 2021');
    assert.equal(en.month('2021-12'), 'December 2021');
    assert.equal(ja.month('2021-12'), '2021年12月');
  });

  it('uses the customary Japanese region names, and the platform names for the rest', async () => {
    const { fmt: ja } = await loadTranslator('ja');
    const { fmt: en } = await loadTranslator('en');
    assert.equal(ja.region('US'), '米国');
    assert.equal(ja.region('GB'), '英国');
    assert.equal(ja.region('ZZ'), '不明');
    assert.equal(en.region('ZZ'), 'Unknown');
    // Not in the locale files: Intl.DisplayNames gives it.
    assert.equal(ja.region('BE'), new Intl.DisplayNames(['ja'], { type: 'region' }).of('BE'));
    assert.equal(en.region('BE'), 'Belgium');
  });

  it('labels ports with their IANA service name in each language’s brackets', async () => {
    const { fmt: ja } = await loadTranslator('ja');
    const { fmt: en } = await loadTranslator('en');
    assert.equal(ja.portLabel(23, 'tcp', 'telnet'), '23/TCP（telnet）');
    assert.equal(en.portLabel(23, 'tcp', 'telnet'), '23/TCP (telnet)');
    assert.equal(en.portLabel(8, 'icmp', null), '8/ICMP');
    assert.equal(en.portKey(128, 'icmpv6'), '128/ICMPv6');
  });

  it('shows previous ranks, outside the top 10 and unknown', async () => {
    const { fmt: ja } = await loadTranslator('ja');
    const { fmt: en } = await loadTranslator('en');
    assert.equal(ja.previousRank(3), '3');
    assert.equal(ja.previousRank('outside'), '圏外');
    assert.equal(en.previousRank('outside'), 'Outside top 10');
    assert.equal(en.previousRank('unknown'), '—');
  });
});
