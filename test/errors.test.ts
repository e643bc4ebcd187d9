import assert from 'node:assert/strict';
import { exitCodeOf, formatError, isReportError, ReportError } from '../src/errors.js';

describe('errors', () => {
  it('prints message, details and hint, and a stack only with --debug', () => {
    const error = new ReportError('STATS_INVALID', 'x.json does not match', { details: ['ports[0].rank: expected …'] });
    const text = formatError(error, false);
    assert.match(text, /^error\[STATS_INVALID\]: Invalid statistics\n {2}x\.json does not match\n {4}ports\[0\]\.rank: expected …\n {2}hint: /);
    assert.doesNotMatch(text, /\n\s+at /);
    assert.match(formatError(error, true), /\n\s+at /);
    assert.equal(exitCodeOf(error), 2);
  });

  it('recognises a ReportError from another copy of the module by its shape', () => {
    const foreign = Object.assign(new Error('no browser'), { name: 'ReportError', code: 'NO_BROWSER', hint: 'install one', exitCode: 3, details: [] });
    assert.equal(isReportError(foreign), true);
    assert.equal(exitCodeOf(foreign), 3);
    assert.equal(isReportError(new Error('plain')), false);
    assert.equal(exitCodeOf(new Error('plain')), 1);
    assert.match(formatError(new Error('plain'), false), /^error\[INTERNAL\]: plain/);
  });
});
