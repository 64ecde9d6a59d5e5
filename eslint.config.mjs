import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // onnxruntime is reached through @exp/models' runtime (src/runtime/ort.ts re-exports it), so
    // sessions, devices and tensor conventions are set up in one place.
    ignores: ['packages/models/src/runtime/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'onnxruntime-node',
              message: "import { ort } from @exp/models' src/runtime/ort.ts (or its API) instead",
            },
          ],
        },
      ],
    },
  },
);
