import { defineConfig } from 'tsup';

export default defineConfig({
  // render-worker: the worker thread entry pool.ts starts (beside index.js in dist/).
  entry: { index: 'src/index.ts', 'render-worker': 'src/render/worker.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
