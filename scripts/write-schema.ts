// Writes schema/*.schema.json from their TypeBox sources (src/stats/schema.ts, src/aggregate/config.ts).
import { writeFile } from 'node:fs/promises';
import { renderSchemaJson, SCHEMA_FILES } from '../src/stats/schema-json.js';

for (const { file, schema } of SCHEMA_FILES) await writeFile(new URL(`../schema/${file}`, import.meta.url), renderSchemaJson(schema));
