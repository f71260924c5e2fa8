import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

// Next.js's own rules (React, hooks, accessibility, Core Web Vitals) plus typescript-eslint's
// recommended set. No rule is turned off here; a local exception carries its reason beside it.
export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  globalIgnores([
    '.next/**',
    'node_modules/**',
    'lib/db/generated/**',
    'coverage/**',
    'test-results/**',
    'playwright-report/**',
    'bench-results/**',
    '.data/**',
    '.stryker-tmp/**',
    'reports/**',
    'next-env.d.ts',
  ]),
]);
