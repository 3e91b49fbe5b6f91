// Lint zones mirror the layering rules of docs/ARCHITECTURE (see test/layering.unit.test.ts for
// the same rules checked on resolved paths).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const connectors = ['exact-online', 'procore', 'acumatica', 'sage-intacct', 'monday', 'coupa'];

const restrict = (paths, patterns, message) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: paths.map((name) => ({ name, message })),
      patterns: patterns.map((group) => ({ group: [group], message })),
    },
  ],
});

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'release/**', 'test-results/**', 'bench/results/**', '**/*.d.ts', 'test/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      [...nodeBuiltins, 'electron', 'react'],
      ['**/src-main/**', '**/src-renderer/**', 'node:*'],
      'src-shared is pure TypeScript: no node, DOM, electron, or other layers.',
    ),
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(
        [...nodeBuiltins, 'electron'],
        ['**/src-main/**', 'node:*'],
        'The renderer talks to the app only through src-shared/ipc.',
      ),
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**', 'src-main/main.ts', 'src-main/connectors/**', 'src-main/sandbox/**'],
    rules: restrict(['electron'], [], 'Only src-main/electron/** and src-main/main.ts may import electron.'),
  },
  {
    files: ['src-main/sandbox/**/*.ts'],
    rules: restrict(
      ['electron'],
      ['**/connectors/**'],
      'A simulator shares no code with the connector it checks (and never imports electron).',
    ),
  },
  ...connectors.map((c) => ({
    files: [`src-main/connectors/${c}/**/*.ts`],
    rules: restrict(
      ['electron'],
      ['**/store/**', '**/engine/**', '**/credentials/**', '**/auth/**', ...connectors.filter((o) => o !== c).map((o) => `**/${o}/**`)],
      'A connector imports only _kit, its own folder and src-shared.',
    ),
  })),
  {
    files: ['src-main/connectors/_kit/**/*.ts'],
    rules: restrict(
      ['electron'],
      ['**/store/**', '**/engine/**', '**/credentials/**', ...connectors.map((o) => `**/${o}/**`)],
      '_kit is shared mechanics: it knows no connector, store or engine.',
    ),
  },
  {
    files: ['src-main/engine/**/*.ts'],
    rules: restrict(
      ['electron'],
      ['**/connectors/*/client*', '**/connectors/*/wire*', '**/connectors/*/mappers*', '**/sandbox/**'],
      "The engine uses a connector's public index and the registry, never its internals.",
    ),
  },
  {
    // A flow seeds its sandbox mapping tables from the demo world (decision 0017): the world's
    // types are all it may see of the sandbox.
    files: ['src-main/engine/flows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only src-main/electron/** and src-main/main.ts may import electron.' }],
          patterns: [
            {
              group: ['**/connectors/*/client*', '**/connectors/*/wire*', '**/connectors/*/mappers*'],
              message: "A flow uses a connector's public index and the registry, never its internals.",
            },
            {
              regex: '(^|/)sandbox($|/(?!seed/world-types$))',
              message: "Of the sandbox, a flow sees only the demo world's types (to seed its sandbox mapping tables).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
