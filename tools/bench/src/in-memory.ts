// Bench models built in memory: seeded random weights (the values initRandomCheckpoint writes
// for the same config and seed), the runtime's fused external-KV decode graph built from them and
// a CausalLM around it. No checkpoint, no export, nothing on disk: a real-vocabulary model with a
// few layers is ready in seconds. Also the machine's fp32 GEMM rate through onnxruntime, so that
// decode rates can be read as a fraction of what the same library reaches on a plain MatMul.
import onnxProto from 'onnx-proto';
import {
  CausalLM,
  buildLlamaDecoderGraph,
  buildRandomConfig,
  createSession,
  externalKvDecoder,
  ort,
  parseModelConfig,
  randomCheckpointParams,
  randomParamData,
  type ModelConfig,
  type StepDecoder,
} from './models-src.js';

export type { StepDecoder, Want } from './models-src.js';

/** Config and seeded random float32 weights of an HF config (overrides), all in memory. */
export function inMemoryWeights(
  hfOverrides: Record<string, unknown>,
  seed = 42,
): { config: ModelConfig; params: Map<string, Float32Array> } {
  const hf = buildRandomConfig(hfOverrides);
  const params = new Map<string, Float32Array>();
  for (const spec of randomCheckpointParams(hf)) params.set(spec.name, randomParamData(spec, seed));
  return { config: parseModelConfig(hf), params };
}

/**
 * A CausalLM whose generate()/generateStream() run the fused external-KV graph (what
 * loadCausalLM builds for an exported Llama) over random weights held in memory; also its step
 * decoder, for timing prefills and steps alone (lm.dispose() releases both).
 */
export async function inMemoryCausalLM(
  hfOverrides: Record<string, unknown>,
  opts: { threads: number; maxPositions?: number; seed?: number },
): Promise<{ lm: CausalLM; decoder: StepDecoder; config: ModelConfig }> {
  const { config, params } = inMemoryWeights(hfOverrides, opts.seed);
  const maxPositions = opts.maxPositions ?? 2048;
  const bytes = buildLlamaDecoderGraph(
    config,
    (name) => {
      const t = params.get(name);
      if (!t) throw new Error(`no weight ${name}`);
      return t;
    },
    { kvIo: 'external', lastTokenLogits: true, maxPositions, penalizedArgmax: true },
  );
  params.clear(); // the graph holds the weights now
  const sessionConfig = { threads: opts.threads };
  const session = await createSession(bytes, sessionConfig);
  const kv = { layers: config.numLayers, kvHeads: config.numKvHeads, headDim: config.headDim };
  const decoder = externalKvDecoder(session, kv, maxPositions);
  const lm = new CausalLM(
    '(in memory)',
    config,
    null,
    '(in memory)/model.onnx',
    sessionConfig,
    decoder,
    'decoder: external-kv (in-memory bench model)',
  );
  return { lm, decoder, config };
}

/**
 * A model computing C = A @ B for float32 A [m, k] and a constant B [k, n] (an initializer, so
 * onnxruntime pre-packs it, as it does the decode graph's weights).
 */
function matMulModel(m: number, k: number, n: number, b: Float32Array): Uint8Array {
  const { onnx } = onnxProto;
  const F = onnx.TensorProto.DataType.FLOAT;
  const io = (name: string, dims: number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
    });
  const weight = onnx.TensorProto.create({
    name: 'b',
    dims: [k, n],
    dataType: F,
    rawData: new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'gemm',
      node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['c'], name: 'matmul' }],
      initializer: [weight],
      input: [io('a', [m, k])],
      output: [io('c', [m, n])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export interface GemmRate {
  m: number;
  k: number;
  n: number;
  gflops: number;
}

/** Best-of-`repeats` fp32 MatMul rate of onnxruntime (MLAS) on [m,k] x constant [k,n]. */
export async function measureGemm(
  shape: { m: number; k: number; n: number },
  threads: number,
  repeats = 5,
): Promise<GemmRate> {
  const { m, k, n } = shape;
  const a = new Float32Array(m * k).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = new Float32Array(k * n).map((_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const session = await createSession(matMulModel(m, k, n, b), { threads });
  try {
    const feeds = { a: new ort.Tensor('float32', a, [m, k]) };
    await session.run(feeds); // warm-up
    let best = Infinity;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return { m, k, n, gflops: (2 * m * k * n) / best / 1e9 };
  } finally {
    await session.release();
  }
}
