/**
 * Chart templates: Vega-Lite specs in templates/charts/*.vl.json that hold all
 * styling (sizes, colours, fonts, axes). The code fills in only the data, the
 * localised titles and the number/time formats (see templates/charts/README.md),
 * so the look can change without touching TypeScript.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { ReportError } from '../errors.js';
import { FONT_FAMILY } from '../fonts/faces.js';
import { PACKAGE_ROOT } from '../paths.js';

/** The chart kinds and their template files. */
export const CHART_TEMPLATE_FILES = {
  dailyLines: 'daily-lines.vl.json',
  dailyLine: 'daily-line.vl.json',
  shareBars: 'share-bars.vl.json',
  shareCompare: 'share-compare.vl.json',
  monthlyCompare: 'monthly-compare.vl.json',
} as const;

export type ChartKind = keyof typeof CHART_TEMPLATE_FILES;

/** One parsed template; `file` names it in error messages. */
export interface ChartTemplate {
  file: string;
  spec: TopLevelSpec;
}

/** All templates, by chart kind. */
export type ChartTemplates = Record<ChartKind, ChartTemplate>;

/** templates/charts/ of this package. */
export function defaultChartTemplateDir(): string {
  return join(PACKAGE_ROOT, 'templates', 'charts');
}

/**
 * Checks what the code relies on: a JSON object whose text is set in the
 * shipped font. Text is measured with that font's metrics, so another family
 * would be laid out wrongly.
 */
export function parseChartTemplate(text: string, file: string): ChartTemplate {
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (cause) {
    throw new ReportError(
      'CHART_SPEC_INVALID',
      `${file} is not valid JSON: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new ReportError(
      'CHART_SPEC_INVALID',
      `${file}: a chart template must be a JSON object (a Vega-Lite spec).`,
    );
  const config = (spec as { config?: { font?: unknown } }).config;
  if (config?.font !== FONT_FAMILY)
    throw new ReportError(
      'CHART_SPEC_INVALID',
      `${file}: config.font must be "${FONT_FAMILY}", found ${JSON.stringify(config?.font)}.`,
      {
        hint: `Chart text is measured with the shipped ${FONT_FAMILY} faces and drawn with the page's web fonts; set "config": { "font": "${FONT_FAMILY}" } in the template.`,
      },
    );
  return { file, spec: spec as TopLevelSpec };
}

/** Reads every chart template from `dir` (default: the package's templates/charts/). */
export async function loadChartTemplates(
  dir: string = defaultChartTemplateDir(),
): Promise<ChartTemplates> {
  const entries = await Promise.all(
    Object.entries(CHART_TEMPLATE_FILES).map(async ([kind, name]) => {
      const file = join(dir, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (cause) {
        throw new ReportError(
          'TEMPLATE_ERROR',
          `Cannot read the chart template ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
          { cause },
        );
      }
      return [kind, parseChartTemplate(text, file)] as const;
    }),
  );
  return Object.fromEntries(entries) as ChartTemplates;
}
