import { fileURLToPath } from 'node:url';

/** The package root: templates/, locales/, assets/ and fixtures/ live there (src/ and dist/ are one level down). */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
