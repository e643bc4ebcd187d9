import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import { FIXTURE_STATS_PATH } from './helpers/report-context.js';

/** Runs the installed command (bin/ → the compiled bundle under dist/bundle/), as a user does. */
function runBin(
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PACKAGE_ROOT, 'bin', 'tsubame-report.js'), ...args],
      { cwd: PACKAGE_ROOT, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const failed = error as
          (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
        resolve({
          code: failed ? (typeof failed.code === 'number' ? failed.code : null) : 0,
          signal: failed?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

describe('the tsubame-report command', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsubame-bin-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs from its compiled bundle', async () => {
    const result = await runBin(['--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /build \[options\]/);
  });

  it('exits on a bad quarter config, closing the browser it started early', async () => {
    // The browser starts before the config is read; a build that never begins must still close it,
    // or the process would wait on it forever (the timeout turns that into a failure here).
    const config = join(dir, 'bad.json');
    await writeFile(config, JSON.stringify({ focus: [{ port: 'six', proto: 'tcp' }] }));
    const result = await runBin(
      ['build', '--stats', FIXTURE_STATS_PATH, '--config', config, '--out', dir],
      30_000,
    );
    assert.equal(result.signal, null, `the command did not exit: ${result.stderr}`);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /bad\.json/);
    assert.match(result.stderr, /focus\[0\]\.port/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
