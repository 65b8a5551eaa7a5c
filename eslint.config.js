// ESLint for the whole tree: typescript-eslint's type-checked recommended rules, plus the
// rules this project holds itself to (no floating or misused promises, no unused code, no
// `any` outside tests, files under 300 lines in src/ and web/src/). `npm test` runs it with
// --max-warnings 0, so a warning is as good as an error.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'web/dist/',
      'data/',
      'coverage/',
      'test-results/',
      'library/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // vite.config.ts belongs to web/tsconfig.node.json, which the service does not look for.
        projectService: { allowDefaultProject: ['web/vite.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Off: most async functions without an await implement an async interface (a store, an
      // engine, a mock of a contract) whose other implementations do wait; `async` there keeps
      // a throw a rejected promise, as callers expect. Floating promises stay errors.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Plain JavaScript (bin/, the configuration files) has no types to check.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false },
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        module: 'writable',
        require: 'readonly',
      },
    },
  },
  {
    // Small files: one responsibility each, readable in one sitting.
    files: ['src/**/*.ts', 'web/src/**/*.ts', 'web/src/**/*.tsx'],
    ignores: ['src/**/tests/**'],
    rules: { 'max-lines': ['error', { max: 300 }] },
  },
  {
    // Tests and benchmarks read what came back (parsed JSON bodies, log lines, mock calls) and
    // assert on it: typing every such value first would add ceremony and catch nothing the
    // assertions do not. Promises, unused code and the rest stay checked.
    files: ['src/**/tests/**', 'test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
