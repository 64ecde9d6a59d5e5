import { tsupConfig } from '../../tools/tsup.preset.mjs';

export default tsupConfig({
  entry: {
    index: 'src/index.ts',
    // @exp/report/charts: specs, rendering, tables and pages
    charts: 'src/charts.ts',
    // the worker thread entry pool.ts starts (beside index.js in dist/)
    'render-worker': 'src/render/worker.ts',
  },
});
