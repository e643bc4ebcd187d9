/**
 * Golden-file comparison: `test/output/<name>` holds the expected text. On a
 * mismatch a `<name>-changed.<ext>` copy is written beside it and the failure
 * shows the first differing lines. `UPDATE_GOLDEN=1` rewrites the golden file.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUTPUT_DIR = fileURLToPath(new URL('../output/', import.meta.url));

function changedPath(name: string): string {
  const ext = extname(name);
  return join(OUTPUT_DIR, `${name.slice(0, -ext.length)}-changed${ext}`);
}

/** Lines around the first few differences, numbered, for a readable failure. */
export function formatLineDiff(expected: string, actual: string, maxHunks = 5): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const out: string[] = [];
  let hunks = 0;
  for (let i = 0; i < Math.max(a.length, b.length) && hunks < maxHunks; i++) {
    if (a[i] === b[i]) continue;
    hunks++;
    out.push(`@@ line ${i + 1}`, `- ${a[i] ?? '(end of file)'}`, `+ ${b[i] ?? '(end of file)'}`);
  }
  if (a.length !== b.length) out.push(`(expected ${a.length} lines, got ${b.length})`);
  return out.join('\n');
}

export async function assertGolden(name: string, actual: string): Promise<void> {
  const path = join(OUTPUT_DIR, name);
  if (process.env.UPDATE_GOLDEN) {
    await writeFile(path, actual);
    await rm(changedPath(name), { force: true });
    return;
  }
  let expected: string;
  try {
    expected = await readFile(path, 'utf8');
  } catch {
    await writeFile(changedPath(name), actual);
    assert.fail(`no golden file test/output/${name}; review test/output/${changedPath(name).split('/').pop()} and rename it, or run with UPDATE_GOLDEN=1`);
  }
  if (expected === actual) {
    await rm(changedPath(name), { force: true });
    return;
  }
  await writeFile(changedPath(name), actual);
  assert.fail(`test/output/${name} differs (actual output written to ${changedPath(name)}):\n${formatLineDiff(expected, actual)}`);
}
