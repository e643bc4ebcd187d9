import { readFile } from 'node:fs/promises';
import { ReportError } from '../errors.js';
import type { QuarterStats } from './schema.js';
import { parseQuarterStats } from './validate.js';

/** Reads and validates a statistics JSON file. */
export async function loadQuarterStats(path: string): Promise<QuarterStats> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ReportError('STATS_UNREADABLE', `Cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new ReportError('STATS_UNREADABLE', `${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseQuarterStats(data, path);
}
