// Layering: renderer → shared ← main → engine. A wrong import fails lint, not review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'http',
  'https',
  'net',
  'crypto',
  'child_process',
];
// Classic zod costs every `braid get` start ~20 ms more than the zod/mini that shared/api/zod.ts
// sets up; one import of it anywhere would bundle it back.
const zodMiniOnly = [
  { name: 'zod', message: 'Use shared/api/zod.ts (zod/mini with English messages).' },
];
const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: zodMiniOnly,
        patterns: forbidden.map((group) => ({ group: [group], message: why })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'release/**', 'test-results/**', 'bench/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: zodMiniOnly }],
    },
  },
  layer(
    ['shared/**'],
    ['electron', '**/electron/**', '**/renderer/**', ...nodeBuiltins],
    'shared/ runs anywhere: it may import only shared/ and pure libraries.',
  ),
  layer(
    ['electron/engine/**'],
    ['electron', '**/main/**', '**/preload/**', '**/cli/**', '**/serve/**', '**/renderer/**'],
    'The engine is pure Node: it may import only shared/ and itself.',
  ),
  layer(
    ['electron/cli/**', 'electron/serve/**', 'electron/api/**', 'electron/observability/**'],
    ['electron', '**/main/**', '**/preload/**'],
    'CLI, serve and the API hub run on plain Node without Electron.',
  ),
  layer(
    ['electron/preload/**'],
    [
      '../engine/**',
      '../api/**',
      '../main/**',
      '../cli/**',
      '../serve/**',
      '**/renderer/**',
      ...nodeBuiltins,
    ],
    'The sandboxed preload may use only electron and shared/.',
  ),
  layer(
    ['electron/main/**'],
    ['**/renderer/**', '**/cli/**'],
    'The desktop shell wraps the API hub and engine; it never imports renderer or CLI code.',
  ),
  {
    files: ['renderer/**', 'test/renderer/**'],
    ignores: ['renderer/vite.config.ts', 'renderer/vitest.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  layer(
    ['renderer/**'],
    ['electron', '**/electron/**', ...nodeBuiltins],
    'The renderer is browser code: it talks to the app only through shared/ contracts.',
  ),
  {
    // Build tooling beside the renderer runs on Node, not in the page.
    files: ['renderer/vite.config.ts', 'renderer/vitest.config.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
