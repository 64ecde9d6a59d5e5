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

// onnx-proto's declarations name a global `Long`: protobufjs' generated d.ts expects long.js' types
// (@types/long 4, protobufjs 6's own) to be loaded. A package whose d.ts reaches onnx-proto loads
// them with this banner (and depends on @types/long), so that consumers check its types with
// skipLibCheck false. A banner, because the d.ts bundler drops the sources' reference directives.
export const LONG_TYPES = { dts: { banner: '/// <reference types="long" />' } };
