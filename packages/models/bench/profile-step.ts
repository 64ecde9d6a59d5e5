// `pnpm -F @exp/models exec tsx bench/profile-step.ts [--layers 4] [--batch 16] [--context 160]
//   [--steps 10] [--threads 2]`: where a decode step of the real shape goes. Builds the fused
// external-KV graph over random weights in memory, runs the steps with onnxruntime's profiler on,
// and prints the time per operator type (inside the session) next to the step's wall time as
// the decoder sees it (the rest: feeds, the binding's copies, storing the new keys/values).
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRng } from '@exp/data';
import { buildRandomConfig } from '../src/init/hf-config.js';
import { externalKvDecoder } from '../src/runtime/cached-decoder.js';
import { buildLlamaDecoderGraph } from '../src/runtime/decoder-graph.js';
import { ort } from '../src/runtime/ort.js';
import { sessionOptions } from '../src/runtime/session.js';
import { inMemoryWeights } from '@exp/bench-kit/in-memory';
import { RANDOM_375M } from '@exp/bench-kit/models';

const { values } = parseArgs({
  options: {
    layers: { type: 'string', default: '4' },
    batch: { type: 'string', default: '16' },
    context: { type: 'string', default: '160' },
    steps: { type: 'string', default: '10' },
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: 'llama' },
  },
});
const [layers, batch, context, steps, threads] = [
  values.layers,
  values.batch,
  values.context,
  values.steps,
  values.threads,
].map(Number) as [number, number, number, number, number];

const shape = { ...RANDOM_375M, num_hidden_layers: layers, model_type: values.model };
buildRandomConfig(shape); // validates
const { config, params } = inMemoryWeights(shape);
const maxPositions = context + steps + 64;
const bytes = buildLlamaDecoderGraph(config, (n) => params.get(n)!, {
  kvIo: 'external',
  lastTokenLogits: true,
  maxPositions,
  penalizedArgmax: true,
});
params.clear();
const prefix = path.join(os.tmpdir(), `exp-profile-${process.pid}`);
const session = await ort.InferenceSession.create(bytes, {
  ...sessionOptions({ threads }),
  enableProfiling: true,
  profileFilePrefix: prefix,
});
const decoder = externalKvDecoder(
  session,
  { layers, kvHeads: config.numKvHeads, headDim: config.headDim },
  maxPositions,
);
const rng = createRng(3);
const rows = Array.from({ length: batch }, () =>
  Array.from({ length: context }, () => 3 + rng.int(config.vocabSize - 3)),
);
decoder.begin(batch);
for (let b = 0; b < batch; b++) await decoder.prefill(b, rows[b]!, 'argmax');
let tokens = rows.map((r) => r.at(-1)!);
const want = () => ({ penalty: 1.1, ids: rows.map((r) => [...new Set(r)]) });
await decoder.step(tokens, want()); // warm-up
const walls: number[] = [];
const t0 = performance.now() * 1000;
for (let s = 0; s < steps; s++) {
  const a = performance.now();
  const out = await decoder.step(tokens, want());
  walls.push(performance.now() - a);
  tokens = out.argmax!;
  rows.forEach((r, b) => r.push(tokens[b]!));
}
session.endProfiling(); // writes <prefix>_<date>.json (onnxruntime-node returns nothing)
const dir = path.dirname(prefix);
const file = path.join(
  dir,
  readdirSync(dir).find((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.json'))!,
);
interface Event {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}
const events = JSON.parse(readFileSync(file, 'utf8')) as Event[];
rmSync(file, { force: true });
const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').slice(-steps);
const start = runs[0]!.ts;
const byOp = new Map<string, number>();
const byNode = new Map<string, number>();
let nodeTotal = 0;
for (const e of events) {
  if (e.cat !== 'Node' || e.ts < start || !e.name.endsWith('_kernel_time')) continue;
  const op = e.args?.op_name ?? e.name;
  byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
  const node = e.name.replace(/_kernel_time$/, '');
  byNode.set(node, (byNode.get(node) ?? 0) + e.dur);
  nodeTotal += e.dur;
}
const ms = (us: number) => (us / 1000 / steps).toFixed(2);
const runUs = runs.reduce((s, r) => s + r.dur, 0);
const wallMs = walls.reduce((a, b) => a + b, 0) / steps;
console.log(
  `${values.model}, ${layers} layers (real vocab and width), batch ${batch}, context ${context}, ` +
    `${threads} threads, mean of ${steps} steps (t0 ${t0.toFixed(0)})`,
);
console.log(`decoder.step wall: ${wallMs.toFixed(2)} ms (min ${Math.min(...walls).toFixed(2)})`);
console.log(`session model_run: ${ms(runUs)} ms; kernels: ${ms(nodeTotal)} ms`);
console.log(
  `outside the session (feeds, binding, storing keys/values): ${(wallMs - runUs / 1000 / steps).toFixed(2)} ms`,
);
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1])) {
  console.log(
    `  ${op.padEnd(34)} ${ms(us).padStart(8)} ms  ${((100 * us) / nodeTotal).toFixed(1)}%`,
  );
}
console.log('slowest nodes:');
for (const [node, us] of [...byNode].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
  console.log(`  ${node.slice(0, 60).padEnd(60)} ${ms(us).padStart(8)} ms`);
}
await session.release();
