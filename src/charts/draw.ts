/**
 * Drawing one chart: Vega-Lite spec → Vega spec → static SVG, with no
 * browser and no client-side JavaScript.
 *
 *   Vega-Lite spec ──compile (vega-lite)──▶ Vega spec ──View, renderer 'none'──▶ SVG
 *
 * Text is measured with the shipped Noto Sans JP faces (see measure.ts), so
 * the layout Vega computes matches what the page's web fonts draw. This
 * module holds the chart stack (vega, vega-lite, fontkit); render.ts loads it
 * only for a chart it has not drawn before.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ReportError } from '../errors.js';
import { loadFontFaces } from '../fonts/faces.js';
import { createTextMeasurer, installedTextMeasurer, installTextMeasurer } from './measure.js';

let measurerReady: Promise<void> | undefined;

/** Installs the font-based text measurement in Vega once per process. */
function ensureTextMeasurer(): Promise<void> {
  measurerReady ??= loadFontFaces().then((faces) => {
    if (!installedTextMeasurer()) installTextMeasurer(createTextMeasurer(faces));
  });
  return measurerReady;
}

/** Rewrites `id="x"` and its references so that several inline SVGs on one page cannot collide. */
function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`);
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Marks the SVG as one image described by `description`, for screen readers and for the HTML report alike. */
function labelSvg(svg: string, description: string | undefined): string {
  if (!description) return svg;
  return svg.replace(/^<svg\b/, `<svg role="img" aria-label="${escapeXml(description)}"`);
}

/**
 * Renders any Vega-Lite spec to SVG with the report's text measurement.
 * The spec's `description` becomes the SVG's `aria-label` (with `role="img"`).
 * Vega-Lite errors and warnings become a CHART_SPEC_INVALID error, since a
 * warning (a dropped channel, an unknown property) means the chart is not the
 * one the template describes.
 */
export async function drawChart(
  spec: TopLevelSpec,
  options: { idPrefix?: string; name?: string } = {},
): Promise<string> {
  await ensureTextMeasurer();
  const problems: string[] = [];
  const logger = {
    level: () => logger,
    error: (...args: unknown[]) => (problems.push(args.map(String).join(' ')), logger),
    warn: (...args: unknown[]) => (problems.push(args.map(String).join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  };
  let vgSpec;
  try {
    vgSpec = compile(spec, { logger: logger as never }).spec;
  } catch (cause) {
    problems.push((cause as Error).message);
  }
  if (problems.length > 0 || !vgSpec)
    throw new ReportError(
      'CHART_SPEC_INVALID',
      `Vega-Lite could not compile the chart${options.name ? ` ${options.name}` : ''}:`,
      { details: problems },
    );
  const view = new View(parse(vgSpec), { renderer: 'none' });
  try {
    const svg = labelSvg(await view.toSVG(), spec.description);
    return options.idPrefix ? prefixIds(svg, options.idPrefix) : svg;
  } finally {
    view.finalize();
  }
}

