import type { TSchema } from '@sinclair/typebox';
import { QuarterConfigSchema } from '../aggregate/config.js';
import { QuarterStatsSchema } from './schema.js';

/** A JSON Schema document as checked in under schema/. */
export function renderSchemaJson(schema: TSchema): string {
  return `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }, null, 2)}\n`;
}

/** The checked-in schema files and the TypeBox schemas they are generated from. */
export const SCHEMA_FILES: ReadonlyArray<{ file: string; schema: TSchema }> = [
  { file: 'quarter-stats.schema.json', schema: QuarterStatsSchema },
  { file: 'quarter-config.schema.json', schema: QuarterConfigSchema },
];
