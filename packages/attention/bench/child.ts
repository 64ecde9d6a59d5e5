// One measurement in its own process, so that its peak RSS is its own: `samples` random prompts
// of `length` tokens, per-layer per-head column sums of each map, either reduced layer by layer
// ('reduce') or with every sample's maps kept and reduced at the end ('keep', the peer). Prints
// one JSON line on stdout. Spawned by run.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRng } from '@exp/data';
import { loadCausalLM } from '@exp/models';
import { differentialMaps } from '../src/differential.js';
import { forEachLayerAttention } from '../src/maps.js';
import type { LayerAttention, MapForm } from '../src/types.js';

export interface ChildResult {
  mode: 'reduce' | 'keep';
  length: number;
  samples: number;
  /** Session creation (model load). */
  loadS: number;
  /** Forward + reduction of all samples (after one untimed warm-up forward). */
  totalS: number;
  /** RSS after the session was created and the warm-up forward ran. */
  loadedRssBytes: number;
  /** Peak RSS while the samples ran (Linux: the high-water mark reset after the warm-up). */
  maxRssBytes: number;
  /** Whether maxRssBytes covers the samples only; false: the whole process, load included. */
  peakOfSamples: boolean;
  /** Sum of all column sums: the same in both modes (a check that both computed the same). */
  checksum: number;
}

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    mode: { type: 'string', default: 'reduce' },
    length: { type: 'string', default: '64' },
    samples: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '42' },
  },
});
const mode = values.mode as ChildResult['mode'];
const length = Number(values.length);
const samples = Number(values.samples);

const t0 = performance.now();
const lm = await loadCausalLM(values.dir!, { threads: Number(values.threads), decoder: 'present' });
await lm.outputsInfo(); // creates the session
const loadS = (performance.now() - t0) / 1000;

const form: MapForm = lm.config.modelType === 'diffllama' ? 'differential' : 'softmax';
const { numLayers: L, vocabSize } = lm.config;
/** Column sums of one layer's maps of `form`: [heads][keys] accumulated into `into`. */
function reduce(m: LayerAttention, into: Float64Array) {
  const maps = differentialMaps(m, form);
  const S = m.seq;
  const heads = maps.length / (S * S);
  for (let h = 0; h < heads; h++) {
    for (let q = 0; q < S; q++) {
      const row = (h * S + q) * S;
      for (let k = 0; k < S; k++) into[h * S + k]! += maps[row + k]!;
    }
  }
}

/** Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return /VmHWM:/.test(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return false;
  }
}

const rng = createRng(Number(values.seed));
const prompts = Array.from({ length: samples }, () =>
  Array.from({ length }, () => 3 + Math.floor(rng.next() * (vocabSize - 3))),
);
const heads = lm.config.numHeads;
const sums = Array.from({ length: samples }, () =>
  Array.from({ length: L }, () => new Float64Array(heads * length)),
);
await forEachLayerAttention(lm, prompts[0]!, () => {}); // warm-up: onnxruntime's first-run allocations
const loadedRssBytes = process.memoryUsage().rss;
const peakOfSamples = resetPeakRss();

const kept: LayerAttention[][] = [];
const t1 = performance.now();
for (let s = 0; s < samples; s++) {
  const layers: LayerAttention[] = [];
  await forEachLayerAttention(lm, prompts[s]!, (m) => {
    if (mode === 'reduce') reduce(m, sums[s]![m.layer]!);
    else layers.push(m);
  });
  if (mode === 'keep') kept.push(layers);
}
for (const [s, layers] of kept.entries()) for (const m of layers) reduce(m, sums[s]![m.layer]!);
const totalS = (performance.now() - t1) / 1000;
await lm.dispose();

const maxRssBytes = peakOfSamples
  ? Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024
  : process.resourceUsage().maxRSS * 1024; // KiB
const checksum = sums.flat().reduce((a, v) => a + v.reduce((b, x) => b + x, 0), 0);
const result: ChildResult = {
  mode,
  length,
  samples,
  loadS,
  totalS,
  loadedRssBytes,
  maxRssBytes,
  peakOfSamples,
  checksum,
};
console.log(JSON.stringify(result));
