/**
 * The per-quarter configuration: which ports are the quarter's focus
 * sections, which honeypot belongs to each, N for the honeypot overlap, and
 * the calendar settings. With no file, the report has no focus sections.
 *
 * Format (JSON):
 *
 *     {
 *       "quarter": "2021Q4",              // optional; must match --quarter when given
 *       "timeZone": "Asia/Tokyo",         // IANA zone for days and quarters
 *       "homeCountry": "JP",              // sensors here form the domestic group
 *       "growthWindowDays": 7,            // first/last window for growth ratios
 *       "honeypotThreshold": 5,           // N: accesses for a honeypot source to count
 *       "focus": [
 *         { "port": 6379, "proto": "tcp", "honeypot": "redis-pot" }
 *       ],
 *       "publication": {                  // shown in the report's title block and references
 *         "date": "2022-01-20",           // publication date (null until it is known)
 *         "publisher": "…",               // name of the publishing team, same in every language
 *         "previousReportUrl": "https://…"
 *       }
 *     }
 *
 * The JSON Schema is schema/quarter-config.schema.json (generated from this
 * file by `npm run schema`); `tsubame-report new-quarter` writes a skeleton.
 *
 * Every key is optional; the values above are the defaults, except `focus`,
 * which defaults to none. A focus entry may set its own `honeypotThreshold`.
 */
import { readFile } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { ReportError } from '../errors.js';
import { compileSchema, formatSchemaErrors } from '../stats/validate.js';
import { Protocol } from '../stats/schema.js';

export const QuarterConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    quarter: Type.Optional(Type.String({ pattern: '^\\d{4}Q[1-4]$' })),
    timeZone: Type.Optional(Type.String({ minLength: 1 })),
    homeCountry: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    growthWindowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 45 })),
    honeypotThreshold: Type.Optional(Type.Integer({ minimum: 1 })),
    publication: Type.Optional(
      Type.Object(
        {
          date: Type.Optional(
            Type.Union([Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Publication date, YYYY-MM-DD.' }), Type.Null()]),
          ),
          publisher: Type.Optional(Type.String({ minLength: 1, description: 'The publishing team, as printed in every language.' })),
          previousReportUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'Where the previous report is published.' })),
        },
        { additionalProperties: false },
      ),
    ),
    focus: Type.Optional(
      Type.Array(
        Type.Object(
          {
            port: Type.Integer({ minimum: 0, maximum: 65535 }),
            proto: Protocol,
            honeypot: Type.Optional(Type.String({ pattern: '^\\S+$' })),
            honeypotThreshold: Type.Optional(Type.Integer({ minimum: 1 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false, $id: 'https://tsubame-report/quarter-config.schema.json', title: 'QuarterConfig' },
);

/** A focus section to compute: a port key and, optionally, its honeypot. */
export interface FocusConfig {
  port: number;
  proto: Static<typeof Protocol>;
  honeypot: string | null;
  honeypotThreshold: number;
}

/** The configuration with defaults filled in. */
export interface QuarterConfig {
  quarter: string | null;
  timeZone: string;
  homeCountry: string;
  growthWindowDays: number;
  honeypotThreshold: number;
  focus: FocusConfig[];
  publication: Publication;
}

/** What the title block, colophon and references say about the publication. */
export interface Publication {
  date: string | null;
  publisher: string | null;
  previousReportUrl: string | null;
}

export const DEFAULT_CONFIG: QuarterConfig = {
  quarter: null,
  timeZone: 'Asia/Tokyo',
  homeCountry: 'JP',
  growthWindowDays: 7,
  honeypotThreshold: 5,
  focus: [],
  publication: { date: null, publisher: null, previousReportUrl: null },
};

let compiled: TypeCheck<typeof QuarterConfigSchema> | undefined;

/** Validates config JSON and fills defaults; errors name the key. */
export function parseQuarterConfig(data: unknown, source: string): QuarterConfig {
  compiled ??= compileSchema(QuarterConfigSchema);
  if (!compiled.Check(data))
    throw new ReportError('CONFIG_INVALID', `${source} is not a valid quarter configuration:`, { details: formatSchemaErrors(compiled.Errors(data)) });
  const config = data as Static<typeof QuarterConfigSchema>;
  const threshold = config.honeypotThreshold ?? DEFAULT_CONFIG.honeypotThreshold;
  const focus = (config.focus ?? []).map((f) => ({
    port: f.port,
    proto: f.proto,
    honeypot: f.honeypot ?? null,
    honeypotThreshold: f.honeypotThreshold ?? threshold,
  }));
  const keys = focus.map((f) => `${f.port}/${f.proto}`);
  const twice = keys.find((key, index) => keys.indexOf(key) !== index);
  if (twice) throw new ReportError('CONFIG_INVALID', `${source}: focus lists ${twice} twice.`);
  const timeZone = config.timeZone ?? DEFAULT_CONFIG.timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new ReportError('CONFIG_INVALID', `${source}: timeZone ${JSON.stringify(timeZone)} is not an IANA time zone.`);
  }
  return {
    quarter: config.quarter ?? null,
    timeZone,
    homeCountry: config.homeCountry ?? DEFAULT_CONFIG.homeCountry,
    growthWindowDays: config.growthWindowDays ?? DEFAULT_CONFIG.growthWindowDays,
    honeypotThreshold: threshold,
    focus,
    publication: {
      date: config.publication?.date ?? null,
      publisher: config.publication?.publisher ?? null,
      previousReportUrl: config.publication?.previousReportUrl ?? null,
    },
  };
}

/** Reads and validates a configuration file. */
export async function loadQuarterConfig(path: string): Promise<QuarterConfig> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new ReportError('CONFIG_INVALID', `Cannot read ${path} as JSON: ${(cause as Error).message}`, { cause });
  }
  return parseQuarterConfig(data, path);
}
