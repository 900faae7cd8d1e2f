// ESLint: typescript-eslint's strict rules, plus the layering rule of DESIGN.md §1 —
// `node:*` modules and koffi are imported only in src/host/ and src/native/.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const hostOnly = ['koffi', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'tests/fixtures/build/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      // Windows API implementations keep every documented parameter, used or not.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/host/**', 'src/native/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: hostOnly.map((name) => ({
            name,
            message: 'DESIGN.md §1: node:* modules and koffi are imported only in src/host/ and src/native/.',
          })),
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
  },
  {
    files: ['bin/winrun'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { process: 'readonly', require: 'readonly', __dirname: 'readonly', Buffer: 'readonly' },
    },
    // CommonJS on purpose (see the file's comment).
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
