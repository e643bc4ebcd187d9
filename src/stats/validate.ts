/**
 * Validation of `QuarterStats` against the contract, with errors that name the
 * JSON path and what was expected, e.g. `ports[3].rank: expected an integer ≥ 1`.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { ReportError } from '../errors.js';
import { QuarterStatsSchema, type QuarterStats } from './schema.js';

// ajv-formats is CommonJS: under NodeNext its types describe the module object, not the function.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

let compiled: ValidateFunction<QuarterStats> | undefined;

/** Compiled on first use: compiling costs tens of milliseconds that commands without statistics need not pay. */
function validateSchema(data: unknown): data is QuarterStats {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile<QuarterStats>(QuarterStatsSchema);
  }
  return compiled(data);
}

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

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeType(schema: { type?: unknown } | undefined): string {
  const type = schema?.type;
  return typeof type === 'string' ? article(type) : 'a value';
}

const COMPARISONS: Record<string, string> = { '>=': '≥', '<=': '≤', '>': '>', '<': '<' };

function formatAjvError(error: ErrorObject): string {
  const parent = error.parentSchema as { type?: unknown; const?: unknown } | undefined;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${formatJsonPath(error.instancePath, String(params.missingProperty))}: required, but missing`;
    case 'additionalProperties':
      return `${formatJsonPath(error.instancePath, String(params.additionalProperty))}: unknown field`;
    case 'type':
      return `${formatJsonPath(error.instancePath)}: expected ${article(String(params.type))}, got ${JSON.stringify(error.data)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${formatJsonPath(error.instancePath)}: expected ${describeType(parent)} ${COMPARISONS[String(params.comparison)] ?? String(params.comparison)} ${String(params.limit)}, got ${JSON.stringify(error.data)}`;
    case 'pattern':
      return `${formatJsonPath(error.instancePath)}: expected a string matching ${String(params.pattern)}, got ${JSON.stringify(error.data)}`;
    case 'const':
      return `${formatJsonPath(error.instancePath)}: expected ${JSON.stringify(params.allowedValue)}, got ${JSON.stringify(error.data)}`;
    case 'format':
      return `${formatJsonPath(error.instancePath)}: expected a ${String(params.format)} string, got ${JSON.stringify(error.data)}`;
    case 'maxItems':
    case 'minItems':
      return `${formatJsonPath(error.instancePath)}: expected ${error.keyword === 'maxItems' ? 'at most' : 'at least'} ${String(params.limit)} items`;
    default:
      return `${formatJsonPath(error.instancePath)}: ${error.message ?? 'invalid'}`;
  }
}

/**
 * Schema errors as `path: expected …` lines. Branches of a union each report
 * their own failure; one line per path says what the union accepts. Needs an
 * Ajv compiled with `verbose: true` (the messages quote the data and schema).
 */
export function formatSchemaErrors(errors: readonly ErrorObject[]): string[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const list = byPath.get(error.instancePath) ?? [];
    list.push(error);
    byPath.set(error.instancePath, list);
  }
  const lines: string[] = [];
  for (const [, list] of byPath) {
    const union = list.find((e) => e.keyword === 'anyOf');
    if (union) {
      const description = (union.parentSchema as { description?: string } | undefined)?.description;
      lines.push(
        `${formatJsonPath(union.instancePath)}: got ${JSON.stringify(union.data)}, expected ${description ? `one of: ${description}` : 'another value'}`,
      );
      continue;
    }
    for (const error of list) lines.push(formatAjvError(error));
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
  if (!validateSchema(data)) {
    const details = formatSchemaErrors(compiled?.errors ?? []);
    throw new ReportError('STATS_INVALID', `${source} does not match the statistics format (${details.length} problem${details.length === 1 ? '' : 's'}):`, { details });
  }
  const problems = checkConsistency(data);
  if (problems.length > 0)
    throw new ReportError('STATS_INVALID', `${source} is inconsistent (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, { details: problems });
  return data;
}
