// Shared tsup settings of the packages: one ESM bundle per entry with its .d.ts and source map,
// for the Node lines the packages support (engines >= 22).
import { defineConfig } from 'tsup';

export function tsupConfig(overrides = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
    ...overrides,
  });
}
