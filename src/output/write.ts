/**
 * Writes a build's files all-or-nothing: every file is first written to a
 * temporary name beside its destination, and only when all of them are
 * complete are they renamed into place. A failure before that removes the
 * temporaries, so the previous report stays as it was.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ReportError } from '../errors.js';

export interface OutputFile {
  path: string;
  data: string | Uint8Array;
}

export async function writeOutputsAtomically(files: readonly OutputFile[]): Promise<void> {
  const suffix = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const staged: Array<{ temp: string; path: string }> = [];
  try {
    for (const dir of new Set(files.map((f) => dirname(f.path)))) await mkdir(dir, { recursive: true });
    await Promise.all(
      files.map(async (file) => {
        const temp = `${file.path}${suffix}`;
        staged.push({ temp, path: file.path });
        await writeFile(temp, file.data);
      }),
    );
  } catch (cause) {
    await Promise.all(staged.map((s) => rm(s.temp, { force: true })));
    throw new ReportError('WRITE_FAILED', `Cannot write ${(cause as NodeJS.ErrnoException).path ?? 'the output'}: ${(cause as Error).message}`, { cause });
  }
  for (const { temp, path } of staged) await rename(temp, path);
}
