// Our side of the cross-check: exports the preset folder with @exp/models (its dist; build it
// first) and writes the float32 logits of the fixed ids to <dir>.onnx-logits.json.
// Usage: node tools/crosscheck/ts-logits.mjs <preset folder> <ids as JSON>
import { writeFileSync } from 'node:fs';
import { exportCheckpoint, loadCausalLM } from '../../packages/models/dist/index.js';

const [dir, idsJson] = process.argv.slice(2);
const ids = JSON.parse(idsJson);
const out = `${dir}.onnx`;
await exportCheckpoint(dir, out, { dtype: 'fp32' });
const lm = await loadCausalLM(out);
const { logits } = await lm.forward({ inputIds: [ids] });
writeFileSync(
  `${dir}.onnx-logits.json`,
  JSON.stringify({ dims: logits.dims, data: [...logits.data] }),
);
await lm.dispose();
