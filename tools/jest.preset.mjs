// Shared jest settings: ESM mode (vega and yargs are ESM-only) with @swc/jest transpiling TS.
import { fileURLToPath } from 'node:url';

export function jestConfig(overrides = {}) {
  return {
    testEnvironment: fileURLToPath(new URL('./jest.env.mjs', import.meta.url)),
    extensionsToTreatAsEsm: ['.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } },
      ],
    },
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    testTimeout: 60000,
    ...overrides,
  };
}
