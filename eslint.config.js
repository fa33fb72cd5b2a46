// ESLint for the whole tree: type-aware rules from typescript-eslint, import
// cycles from import-x, Prettier's formatting left to Prettier (`npm run lint`
// runs both). Cycles between libs are also refused by tsc's project references;
// import-x/no-cycle catches the ones inside a lib.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'scripts/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      // How import-x parses the files it follows (a cycle is only seen through the other file).
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          noWarnOnMultipleProjects: true,
          project: ['libs/*/tsconfig.json', 'apps/*/tsconfig.json', 'test/tsconfig.json'],
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test() and describe() return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-console': 'error',
      // Plugin functions and interface methods are async by contract, awaited or not.
      '@typescript-eslint/require-await': 'off',
      // Terminal and wire text is this tree's business: matching control characters is the point
      // (ANSI escapes, PyYAML's special set, Python's splitlines, control bytes in minion ids).
      'no-control-regex': 'off',
      // Code crosses between libs only through each lib's index.ts.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tsalt/*/src/*', '@tsalt/*/dist/*'],
              message: "Import another lib only through its index.ts ('@tsalt/<lib>').",
            },
            { group: ['**/libs/*', '**/apps/*'], message: "Import another lib by its package name ('@tsalt/<lib>')." },
          ],
        },
      ],
    },
  },
  {
    // Tests read CLI output through JSON.parse: untyped by nature, asserted field by field.
    files: ['**/*.test.ts', 'test/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      'no-console': 'off',
    },
  },
  prettier,
);
