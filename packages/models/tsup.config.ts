import { LONG_TYPES, tsupConfig } from '../../tools/tsup.preset.mjs';

// @exp/models/onnx: the graph IR subpath (src/onnx.ts)
export default tsupConfig({ ...LONG_TYPES, entry: { index: 'src/index.ts', onnx: 'src/onnx.ts' } });
