// Prefill and decode rates of the real models' shape (375M: vocab 128256, hidden 1024, GQA 16/4,
// MLP 4096, tied, llama3 RoPE) measured on in-memory random models with fewer layers and
// extrapolated to 16 layers: a quantity measured at a and b layers is t(a) + (t(b) - t(a)) (L - a)
// / (b - a) at L layers (a fixed part: embedding, LM head, binding; and a per-layer part). With
// one layer count equal to the target nothing is extrapolated.
import { createRng } from '@exp/data';
import { inMemoryCausalLM, type StepDecoder, type Want } from '@exp/bench-kit/in-memory';
import { RANDOM_375M } from '@exp/bench-kit/models';
import type { ModelConfig } from '@exp/models';

export interface RateOptions {
  /** Layer counts measured (one or two). */
  layers: number[];
  /** Layers of the projected model (16 for the real models). */
  targetLayers: number;
  threads: number;
  /** Batch sizes whose decode step is timed. */
  batches: number[];
  /** Cache lengths (prompt + tokens so far) at which decode steps are timed. */
  contexts: number[];
  /** Timed steps per (batch, context), after one untimed step; the fastest counts. */
  steps: number;
  /** Prompts prefilled alone (batch 1) for the prefill rate, twice each: their lengths. */
  prefillLengths: number[];
  /** HF repetition penalty in the graph (the seed protocol's 1.1), as exp run decodes. */
  penalty: number;
}

export interface LayerRates {
  layers: number;
  /** Seconds per prompt token, prefills alone (batch 1, no padding). */
  prefillSPerToken: number;
  /** Seconds per decode step, by `${batch}@${context}`. */
  stepS: Record<string, number>;
  buildS: number;
}

export interface Rates {
  config: ModelConfig;
  measured: LayerRates[];
  /** At targetLayers (extrapolated or measured). */
  target: LayerRates;
}

const key = (batch: number, context: number) => `${batch}@${context}`;

function randomIds(rng: ReturnType<typeof createRng>, n: number, vocab: number): number[] {
  return Array.from({ length: n }, () => 3 + rng.int(vocab - 3));
}

function penalized(penalty: number, rows: readonly (readonly number[])[]): Want {
  return penalty === 1 ? 'argmax' : { penalty, ids: rows.map((r) => [...new Set(r)]) };
}

async function timeDecoder(
  decoder: StepDecoder,
  vocab: number,
  o: RateOptions,
  log: (s: string) => void,
): Promise<Omit<LayerRates, 'layers' | 'buildS'>> {
  const rng = createRng(7).fork('rates');
  // prefill: each prompt alone in row 0, as the scheduler does
  const prompts = o.prefillLengths.map((n) => randomIds(rng, n, vocab));
  decoder.begin(1);
  await decoder.prefill(0, prompts[0]!, penalized(o.penalty, [prompts[0]!])); // warm-up
  decoder.free(0);
  let prefillS = 0;
  let prefillTokens = 0;
  for (const p of prompts) {
    let best = Infinity;
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      await decoder.prefill(0, p, penalized(o.penalty, [p]));
      best = Math.min(best, (performance.now() - t0) / 1000);
      decoder.free(0);
    }
    prefillS += best;
    prefillTokens += p.length;
  }
  const stepS: Record<string, number> = {};
  for (const batch of o.batches) {
    for (const context of o.contexts) {
      decoder.begin(batch);
      const rows = Array.from({ length: batch }, () => randomIds(rng, context, vocab));
      for (let b = 0; b < batch; b++) await decoder.prefill(b, rows[b]!, 'argmax');
      let tokens = rows.map((r) => r.at(-1)!);
      const times: number[] = [];
      for (let s = 0; s <= o.steps; s++) {
        const t0 = performance.now();
        const out = await decoder.step(tokens, penalized(o.penalty, rows));
        if (s > 0) times.push((performance.now() - t0) / 1000);
        tokens = out.argmax ?? tokens;
        rows.forEach((r, b) => r.push(tokens[b]!));
      }
      // the fastest: other processes on a shared machine only ever add time
      stepS[key(batch, context)] = Math.min(...times);
      log(
        `  decode step, batch ${batch}, context ${context}: ${(stepS[key(batch, context)]! * 1000).toFixed(1)} ms`,
      );
    }
  }
  decoder.reset();
  return { prefillSPerToken: prefillS / prefillTokens, stepS };
}

function extrapolate(a: LayerRates, b: LayerRates, layers: number): LayerRates {
  const f = (x: number, y: number) => x + ((y - x) * (layers - a.layers)) / (b.layers - a.layers);
  const stepS: Record<string, number> = {};
  for (const k of Object.keys(a.stepS)) stepS[k] = f(a.stepS[k]!, b.stepS[k]!);
  return {
    layers,
    prefillSPerToken: f(a.prefillSPerToken, b.prefillSPerToken),
    stepS,
    buildS: f(a.buildS, b.buildS),
  };
}

/** Measures the real shape at o.layers layers and projects to o.targetLayers. */
export async function measureRealShapeRates(
  o: RateOptions,
  log: (s: string) => void,
  shape: Record<string, unknown> = RANDOM_375M,
): Promise<Rates> {
  if (o.layers.length < 1 || o.layers.length > 2) throw new Error('--layers: one or two counts');
  const measured: LayerRates[] = [];
  let config: ModelConfig | null = null;
  for (const layers of o.layers) {
    log(`real shape with ${layers} layers: random weights in memory, decode graph, session`);
    const t0 = performance.now();
    const maxPositions = Math.max(...o.contexts, ...o.prefillLengths) + o.steps + 64;
    const {
      lm,
      decoder,
      config: c,
    } = await inMemoryCausalLM(
      { ...shape, num_hidden_layers: layers },
      { threads: o.threads, maxPositions },
    );
    const buildS = (performance.now() - t0) / 1000;
    config = c;
    try {
      measured.push({ layers, buildS, ...(await timeDecoder(decoder, c.vocabSize, o, log)) });
    } finally {
      await lm.dispose();
    }
  }
  const exact = measured.find((m) => m.layers === o.targetLayers);
  const target =
    exact ??
    (measured.length === 2 ? extrapolate(measured[0]!, measured[1]!, o.targetLayers) : null);
  if (!target) throw new Error(`--layers: give two counts, or ${o.targetLayers}`);
  return { config: { ...config!, numLayers: o.targetLayers }, measured, target };
}

/** Seconds of one decode step at `batch` rows and `context`, from the measured grid. */
export function stepSeconds(r: LayerRates, batch: number, context: number): number {
  const grid = Object.keys(r.stepS).map((k) => k.split('@').map(Number) as [number, number]);
  const batches = [...new Set(grid.map(([b]) => b))].sort((x, y) => x - y);
  const contexts = [...new Set(grid.map(([, c]) => c))].sort((x, y) => x - y);
  // linear in rows between measured batch sizes, and in context between measured contexts
  const lerp = (xs: number[], x: number, f: (v: number) => number) => {
    if (xs.length === 1) return f(xs[0]!);
    let i = xs.findIndex((v) => v >= x);
    if (i <= 0) i = i === 0 ? 1 : xs.length - 1;
    const [x0, x1] = [xs[i - 1]!, xs[i]!];
    return f(x0) + ((f(x1) - f(x0)) * (x - x0)) / (x1 - x0);
  };
  return lerp(batches, batch, (b) => lerp(contexts, context, (c) => r.stepS[key(b, c)]!));
}

/** Multiply-adds x2 per generated token at `context` (linear layers, LM head, attention). */
export function flopsPerToken(c: ModelConfig, context: number): number {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const H = c.hiddenSize;
  const perLayer = H * q + 2 * H * kv + q * H + 3 * H * c.intermediateSize;
  const attention = 2 * context * q; // scores and weighted values
  return 2 * (c.numLayers * (perLayer + attention) + c.vocabSize * H);
}
