/**
 * Regions as the store keeps them: a two-letter code (A–Z) as the number
 * (first − 'A') × 26 + (second − 'A'), 0–675. Apart from the store, so that
 * the capture thread codes regions without loading DuckDB.
 */

/** Region code of a two-letter region (upper case A–Z). */
export function parseRegionCode(region: string): number {
  return (region.charCodeAt(0) - 65) * 26 + (region.charCodeAt(1) - 65);
}

/** No region (yet): a value no region code reaches. */
export const NO_REGION = 0xffff;
