import { QuarterStatsSchema } from './schema.js';

/** The JSON Schema document of `QuarterStats`, as checked in under schema/. */
export function renderStatsSchemaJson(): string {
  return `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...QuarterStatsSchema }, null, 2)}\n`;
}
