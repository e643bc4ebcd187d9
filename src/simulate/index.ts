/**
 * The bundled demo: simulate (seeded) a quarter and its previous one, ingest
 * them into an in-memory store, and aggregate the quarter with a focus on the
 * surging port and its honeypot. `build` uses it when given no input.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadQuarterStatsFromStore } from '../aggregate/index.js';
import { parseQuarterConfig } from '../aggregate/config.js';
import { parseQuarter } from '../aggregate/time.js';
import { loadDefaultGeo } from '../geo/geo.js';
import { ingestHoneypotFiles, ingestPacketFiles } from '../ingest/ingest.js';
import { readManifest } from '../ingest/manifest.js';
import type { QuarterStats } from '../stats/schema.js';
import { MEMORY_STORE, openStore } from '../store/store.js';
import { writeSimulatedData } from './simulate.js';

export { writeSimulatedData, SURGING_PORT, HONEYPOT_NAME } from './simulate.js';

/** The demo's quarter, seed and scale. */
export const DEMO_QUARTER = '2021Q4';
export const DEMO_SEED = 20211001;
export const DEMO_SCALE = 0.5;
export const DEMO_TIME_ZONE = 'Asia/Tokyo';

export interface DemoOptions {
  quarter?: string;
  clock?: () => Date;
  log?: (line: string) => void;
}

/** Runs the whole pipeline on simulated data and returns the quarter's statistics. */
export async function loadDemoStats(options: DemoOptions = {}): Promise<QuarterStats> {
  const quarterId = options.quarter ?? DEMO_QUARTER;
  const quarter = parseQuarter(quarterId);
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), 'tsubame-demo-'));
  const store = await openStore(MEMORY_STORE, { memoryLimit: '512MB' });
  try {
    const files = await writeSimulatedData(dir, { seed: DEMO_SEED, quarter, timeZone: DEMO_TIME_ZONE, scale: DEMO_SCALE });
    const effects = { log, clock };
    const manifest = await readManifest(files.manifest);
    await ingestPacketFiles(store, { files: files.packets, manifest, geo: loadDefaultGeo() }, effects);
    await ingestHoneypotFiles(store, { name: files.honeypotName, files: [files.honeypot] }, effects);
    const config = parseQuarterConfig(
      {
        quarter: quarterId,
        timeZone: DEMO_TIME_ZONE,
        focus: [{ ...files.focus, honeypot: files.honeypotName }],
      },
      'demo configuration',
    );
    return await loadQuarterStatsFromStore(store, { quarter: quarterId, config, clock, log });
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
