/**
 * Validation of `QuarterStats` against the contract, with errors that name the
 * JSON path and what was expected, e.g. `ports[3].rank: expected an integer ≥ 1`.
 */
import type { TSchema } from '@sinclair/typebox';
import { FormatRegistry } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { ReportError } from '../errors.js';
import { QuarterStatsSchema, type QuarterStats } from './schema.js';

// TypeBox checks string formats through its registry; the contract uses one.
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set('date-time', (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)));

/**
 * Compiles a schema into a checker. TypeBox's compiler takes milliseconds
 * where a general JSON Schema validator took a tenth of a second, time every
 * build and stats run would pay.
 */
export function compileSchema<T extends TSchema>(schema: T): TypeCheck<T> {
  return TypeCompiler.Compile(schema);
}

let compiled: TypeCheck<typeof QuarterStatsSchema> | undefined;

/** `/ports/3/rank` → `ports[3].rank`. */
export function formatJsonPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(root)' : out;
}

const TYPE_NAMES: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.Integer]: 'an integer',
  [ValueErrorType.Number]: 'a number',
  [ValueErrorType.String]: 'a string',
  [ValueErrorType.Boolean]: 'a boolean',
  [ValueErrorType.Null]: 'null',
  [ValueErrorType.Array]: 'an array',
  [ValueErrorType.Object]: 'an object',
};

/** What kind of value a schema with bounds holds, for "expected an integer ≥ 1". */
function describeKind(schema: TSchema): string {
  return schema.type === 'integer' ? 'an integer' : 'a number';
}

function formatValueError(error: ValueError): string {
  const path = formatJsonPath(error.path);
  const got = `got ${JSON.stringify(error.value)}`;
  const schema = error.schema as TSchema & Record<string, unknown>;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `${path}: required, but missing`;
    case ValueErrorType.ObjectAdditionalProperties:
      return `${path}: unknown field`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `${path}: expected ${describeKind(schema)} ≥ ${String(schema.minimum)}, ${got}`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `${path}: expected ${describeKind(schema)} ≤ ${String(schema.maximum)}, ${got}`;
    case ValueErrorType.StringPattern:
      return `${path}: expected a string matching ${String(schema.pattern)}, ${got}`;
    case ValueErrorType.StringFormat:
      return `${path}: expected a ${String(schema.format)} string, ${got}`;
    case ValueErrorType.StringMinLength:
      return `${path}: expected a non-empty string, ${got}`;
    case ValueErrorType.ArrayMaxItems:
      return `${path}: expected at most ${String(schema.maxItems)} items`;
    case ValueErrorType.ArrayMinItems:
      return `${path}: expected at least ${String(schema.minItems)} item${schema.minItems === 1 ? '' : 's'}`;
    case ValueErrorType.Literal:
      return `${path}: expected ${JSON.stringify(schema.const)}, ${got}`;
    case ValueErrorType.Union:
      return `${path}: ${got}, expected ${typeof schema.description === 'string' ? `one of: ${schema.description}` : 'another value'}`;
    default: {
      const name = TYPE_NAMES[error.type];
      return name ? `${path}: expected ${name}, ${got}` : `${path}: ${error.message}`;
    }
  }
}

/**
 * Schema errors as `path: expected …` lines, one per path: a missing field is
 * reported as missing, not also as the wrong type.
 */
export function formatSchemaErrors(errors: Iterable<ValueError>): string[] {
  const byPath = new Map<string, ValueError[]>();
  for (const error of errors) {
    // A missing property is reported at its own path; the type error TypeBox adds there is noise.
    const key = error.path;
    const list = byPath.get(key) ?? [];
    list.push(error);
    byPath.set(key, list);
  }
  const lines: string[] = [];
  for (const list of byPath.values()) {
    const required = list.find((e) => e.type === ValueErrorType.ObjectRequiredProperty);
    for (const error of required ? [required] : list) lines.push(formatValueError(error));
  }
  return [...new Set(lines)];
}

/** Pure semantic checks the schema cannot express (ranks in order, shares summing). */
function checkConsistency(stats: QuarterStats): string[] {
  const problems: string[] = [];
  const checkRanks = (name: 'ports' | 'regions') => {
    stats[name].forEach((entry, index) => {
      if (entry.rank !== index + 1)
        problems.push(`${name}[${index}].rank: expected ${index + 1} (entries are listed in rank order), got ${entry.rank}`);
    });
  };
  checkRanks('ports');
  checkRanks('regions');
  if (stats.period.start > stats.period.end)
    problems.push(`period.end: expected a date on or after period.start (${stats.period.start}), got ${JSON.stringify(stats.period.end)}`);
  return problems;
}

/**
 * Validates unknown JSON as `QuarterStats`; throws a `STATS_INVALID` error
 * listing every problem with its JSON path.
 */
export function parseQuarterStats(data: unknown, source: string): QuarterStats {
  compiled ??= compileSchema(QuarterStatsSchema);
  if (!compiled.Check(data)) {
    const details = formatSchemaErrors(compiled.Errors(data));
    throw new ReportError('STATS_INVALID', `${source} does not match the statistics format (${details.length} problem${details.length === 1 ? '' : 's'}):`, { details });
  }
  const problems = checkConsistency(data);
  if (problems.length > 0)
    throw new ReportError('STATS_INVALID', `${source} is inconsistent (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, { details: problems });
  return data;
}
