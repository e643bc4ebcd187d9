// Writes schema/quarter-stats.schema.json from src/stats/schema.ts (the single source of the contract).
import { writeFile } from 'node:fs/promises';
import { renderStatsSchemaJson } from '../src/stats/schema-json.js';

await writeFile(new URL('../schema/quarter-stats.schema.json', import.meta.url), renderStatsSchemaJson());
