import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/build.js';
import { ReportError } from '../../src/errors.js';
import { renderSchemaJson, SCHEMA_FILES } from '../../src/stats/schema-json.js';
import { formatJsonPath, parseQuarterStats } from '../../src/stats/validate.js';
import { FIXTURE_STATS_PATH } from '../helpers/report-context.js';

async function fixture(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(FIXTURE_STATS_PATH, 'utf8')) as Record<string, unknown>;
}

function detailsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ReportError, `expected a ReportError, got ${String(error)}`);
    assert.equal(error.code, 'STATS_INVALID');
    assert.equal(error.exitCode, 2);
    return [...error.details];
  }
  assert.fail('expected the statistics to be rejected');
}

describe('stats/validate', () => {
  it('accepts the fixture', async () => {
    const stats = parseQuarterStats(await fixture(), 'fixture.json');
    assert.equal(stats.quarter, '2021Q4');
  });

  it('names the JSON path and what was expected', async () => {
    const data = await fixture();
    (data.ports as Array<Record<string, unknown>>)[3]!.rank = 0;
    assert.deepEqual(detailsOf(() => parseQuarterStats(data, 'x.json')), ['ports[3].rank: expected an integer ≥ 1, got 0']);
  });

  it('reports missing fields, wrong types and bad previous ranks together', async () => {
    const data = await fixture();
    delete (data.period as Record<string, unknown>).timeZone;
    (data.regions as Array<Record<string, unknown>>)[1]!.previousRank = 'elsewhere';
    (data.group as Record<string, unknown>).sensorCount = '28';
    const details = detailsOf(() => parseQuarterStats(data, 'x.json'));
    assert.ok(details.includes('period.timeZone: required, but missing'), details.join('\n'));
    assert.ok(details.includes('group.sensorCount: expected an integer, got "28"'), details.join('\n'));
    assert.ok(details.some((d) => d.startsWith('regions[1].previousRank: got "elsewhere", expected one of:')), details.join('\n'));
  });

  it('checks that entries are listed in rank order', async () => {
    const data = await fixture();
    const ports = data.ports as Array<Record<string, unknown>>;
    [ports[0], ports[1]] = [ports[1]!, ports[0]!];
    const details = detailsOf(() => parseQuarterStats(data, 'x.json'));
    assert.deepEqual(details, [
      'ports[0].rank: expected 1 (entries are listed in rank order), got 2',
      'ports[1].rank: expected 2 (entries are listed in rank order), got 1',
    ]);
  });

  it('formats JSON pointers as paths', () => {
    assert.equal(formatJsonPath('/focus/0/regionShares/2/share'), 'focus[0].regionShares[2].share');
    assert.equal(formatJsonPath('', 'quarter'), 'quarter');
    assert.equal(formatJsonPath(''), '(root)');
  });

  it('keeps the checked-in JSON Schemas in step with their sources', async () => {
    for (const { file, schema } of SCHEMA_FILES) {
      const checkedIn = await readFile(join(PACKAGE_ROOT, 'schema', file), 'utf8');
      assert.equal(checkedIn, renderSchemaJson(schema), `schema/${file} is stale: run \`npm run schema\``);
    }
  });
});
