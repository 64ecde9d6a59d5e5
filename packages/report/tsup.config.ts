import { tsupConfig } from '../../tools/tsup.preset.mjs';

// render-worker: the worker thread entry pool.ts starts (beside index.js in dist/).
export default tsupConfig({
  entry: { index: 'src/index.ts', 'render-worker': 'src/render/worker.ts' },
});
