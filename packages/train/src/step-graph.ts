// The training-step graph: the decoder of @exp/models with its weights turned into graph inputs
// (named by their HF state-dict names), the causal-LM loss on `labels`, and the gradient of every
// trainable parameter. One onnxruntime run is one forward + backward pass.
import {
  createSession,
  expectedWeights,
  loadModelConfig,
  type AttentionImplementation,
  type ModelConfig,
  type SessionConfig,
} from '@exp/models';
import {
  DataType,
  EXPORT_IR_VERSION,
  EXPORT_OPSET,
  Ops,
  buildDecoderGraph,
  encodeModel,
  retypeGraph,
  type GraphBuilder,
  type Value,
} from '@exp/models/onnx';
import { gradients } from './gradients.js';
import { causalLmLoss, causalLmLossWithGrad } from './loss.js';
import { GradientError } from './types.js';

export const LOSS_OUTPUT = 'loss';
export const gradName = (param: string): string => `grad.${param}`;

export interface TrainingStepOptions {
  /** Parameters that get a gradient output (default: all); the rest are frozen inputs. */
  trainable?: readonly string[];
  /** Attention implementation of the decoder (default 'eager', what the golden data uses). */
  attention?: AttentionImplementation;
}

export interface TrainingStepGraph {
  graph: GraphBuilder;
  config: ModelConfig;
  /** Every parameter input: HF name -> shape (tied models have no lm_head.weight). */
  parameters: ReadonlyMap<string, readonly number[]>;
  /** The parameters with a `grad.<name>` output, in state-dict order. */
  trainable: readonly string[];
}

/** Moves the named initializers of `g` to graph inputs of the same name, dtype and shape. */
export function initializersToInputs(g: GraphBuilder, names: Iterable<string>): void {
  for (const name of names) {
    const i = g.initializers.findIndex((t) => t.name === name);
    if (i < 0) throw new GradientError(`graph '${g.name}' has no initializer '${name}'`);
    const [t] = g.initializers.splice(i, 1);
    g.inputs.push({ name, dtype: t!.dtype, shape: [...t!.dims] });
  }
}

/**
 * Replaces graph input `name` by a value computed in the graph from `make` (its nodes may read
 * only graph inputs and constants, so they can run first); consumers are rewired to it.
 */
function computeInput(g: GraphBuilder, name: string, make: () => Value): void {
  const i = g.inputs.findIndex((v) => v.name === name);
  const [info] = g.inputs.splice(i, 1);
  const start = g.nodes.length;
  const v = make();
  // the inferred types downstream were derived from the input's declared type: keep it
  g.setType(v.name, info!.dtype, info!.shape);
  g.nodes.unshift(...g.nodes.splice(start));
  for (let k = 0; k < g.nodes.length; k++) {
    const n = g.nodes[k]!;
    if (n.inputs.includes(name)) {
      g.nodes[k] = { ...n, inputs: n.inputs.map((x) => (x === name ? v.name : x)) };
    }
  }
}

// The config alone builds the graph: weights are inputs, so none is ever read.
function shapeOnlySource(config: ModelConfig, dir: string) {
  const shapes = expectedWeights(config);
  return {
    dir,
    has: (n: string) => shapes.has(n),
    info: (n: string) => ({ shape: shapes.get(n)! }),
    readFloat32: (n: string): Float32Array => {
      throw new GradientError(`${dir}: '${n}' is a graph input, not read from the checkpoint`);
    },
  };
}

/**
 * Builds the training step for a checkpoint folder (its config.json) or a config: inputs
 * input_ids / attention_mask / labels int64 [batch_size, sequence_length] and every parameter
 * (float32), outputs `loss` (scalar) and `grad.<name>` per trainable parameter. Position ids are
 * arange(S) per row and there is no KV cache, as in a transformers training forward.
 * A tied embedding is one input used twice; the walk sums both uses' gradients.
 */
export function buildTrainingStep(
  source: string | ModelConfig,
  opts: TrainingStepOptions = {},
): TrainingStepGraph {
  const config = typeof source === 'string' ? loadModelConfig(source) : source;
  const dir = typeof source === 'string' ? source : '(config)';
  const parameters = expectedWeights(config);
  const trainable = opts.trainable ? [...opts.trainable] : [...parameters.keys()];
  for (const name of trainable) {
    if (!parameters.has(name)) {
      throw new GradientError(`${dir}: '${name}' is not a parameter of this ${config.modelType}`);
    }
  }
  const g = buildDecoderGraph(shapeOnlySource(config, dir), config, {
    attention: opts.attention ?? 'eager',
  });
  initializersToInputs(g, parameters.keys());

  const o = new Ops(g);
  const ids = { name: 'input_ids' };
  computeInput(g, 'position_ids', () => {
    const S = o.shape(ids, 1, 2);
    const arange = o.range(o.i64([0], true), o.g.node('Squeeze', [S])[0]!, o.i64([1], true));
    return o.g.node('Expand', [o.unsqueeze(arange, [0]), o.shape(ids)])[0]!;
  });
  const { numKvHeads: kv, headDim: d } = config;
  for (let l = 0; l < config.numLayers; l++) {
    for (const kind of ['key', 'value']) {
      computeInput(
        g,
        `past_key_values.${l}.${kind}`,
        () =>
          o.g.node('ConstantOfShape', [o.concat([o.shape(ids, 0, 1), o.i64([kv, 0, d])], 0)])[0]!,
      );
    }
  }
  // no cache and no logits fetched in training: drop the decoder's outputs
  g.outputs.splice(0);

  const labels = g.input('labels', DataType.INT64, ['batch_size', 'sequence_length']);
  // the loss's backward is emitted with it (no [B, S, V] one-hot scatter) and the walk starts
  // at the logits; with nothing trainable, the loss alone
  const logits = { name: 'logits' };
  const { loss, dlogits } = trainable.length
    ? causalLmLossWithGrad(g, logits, labels)
    : { loss: causalLmLoss(g, logits, labels), dlogits: undefined };
  const grads = gradients(
    g,
    logits,
    trainable.map((name) => ({ name })),
    { seed: dlogits },
  );
  g.output(loss, LOSS_OUTPUT, DataType.FLOAT, []);
  grads.forEach((dw, i) => {
    const name = trainable[i]!;
    g.output(dw, gradName(name), DataType.FLOAT, parameters.get(name)!);
  });
  return { graph: g, config, parameters, trainable };
}

type Session = Awaited<ReturnType<typeof createSession>>;
type Feeds = Parameters<Session['run']>[0];

/** A batch of token ids: row-major int64 [batch, sequence] arrays. */
export interface TrainingBatch {
  dims: readonly [number, number];
  inputIds: BigInt64Array;
  labels: BigInt64Array;
  /** Default all ones. */
  attentionMask?: BigInt64Array;
}

export interface StepResult {
  loss: number;
  /** Gradients in float32 (a float64 step's rounded), what the optimiser takes. */
  grads: Map<string, Float32Array>;
  /** A float64 step's gradients before rounding (absent for float32). */
  exactGrads?: Map<string, Float64Array>;
}

/**
 * 'float64' replays the step graph in float64 (retypeGraph; parameters still come in float32 and
 * are promoted): a reference to check the float32 step against, about 3x slower.
 */
export type StepPrecision = 'float32' | 'float64';

/** Holds an onnxruntime session of a training-step graph: (params, batch) -> loss and grads. */
export class TrainingStep {
  private constructor(
    private readonly session: Session,
    readonly step: TrainingStepGraph,
    readonly precision: StepPrecision,
  ) {}

  static async create(
    source: string | ModelConfig,
    opts: TrainingStepOptions & { session?: SessionConfig; precision?: StepPrecision } = {},
  ): Promise<TrainingStep> {
    const step = buildTrainingStep(source, opts);
    const precision = opts.precision ?? 'float32';
    const f64 = precision === 'float64';
    const meta = {
      irVersion: EXPORT_IR_VERSION,
      opsetImports: [{ domain: '', version: EXPORT_OPSET }],
      producerName: 'exp-train',
      producerVersion: '0',
    };
    // float64 without onnxruntime's extended fusions: they fold scales into a float32 attribute
    const model = encodeModel(f64 ? retypeGraph(step.graph) : step.graph, meta);
    // no memory pattern: its one block for all intermediates, planned at the second run, held
    // 7 GB more than the first run's peak at 375M (see SessionConfig.memPattern)
    const base = { memPattern: false, ...opts.session };
    const session = f64 ? { ...base, optimization: 'basic' as const } : base;
    return new TrainingStep(await createSession(model, session), step, precision);
  }

  get parameters(): ReadonlyMap<string, readonly number[]> {
    return this.step.parameters;
  }

  get trainable(): readonly string[] {
    return this.step.trainable;
  }

  async run(params: ReadonlyMap<string, Float32Array>, batch: TrainingBatch): Promise<StepResult> {
    const [B, S] = batch.dims;
    const f64 = this.precision === 'float64';
    const feeds: Record<string, unknown> = {};
    // plain { type, dims, data } objects: onnxruntime-node reads tensors by these fields
    const tensor = (type: string, dims: readonly number[], data: ArrayBufferView) => ({
      type,
      dims: [...dims],
      data,
      location: 'cpu',
    });
    const i64 = (field: string, data: BigInt64Array) => {
      if (data.length !== B * S) {
        throw new GradientError(
          `batch.${field}: ${data.length} ids, dims [${B}, ${S}] need ${B * S}`,
        );
      }
      return tensor('int64', [B, S], data);
    };
    feeds.input_ids = i64('inputIds', batch.inputIds);
    feeds.labels = i64('labels', batch.labels);
    feeds.attention_mask = i64(
      'attentionMask',
      batch.attentionMask ?? new BigInt64Array(B * S).fill(1n),
    );
    for (const [name, shape] of this.step.parameters) {
      const p = params.get(name);
      const n = shape.reduce((a, b) => a * b, 1);
      if (!p) throw new GradientError(`params: no value for '${name}'`);
      if (p.length !== n) {
        throw new GradientError(
          `params: '${name}' has ${p.length} values, shape [${shape.join(', ')}] needs ${n}`,
        );
      }
      feeds[name] = f64
        ? tensor('float64', shape, Float64Array.from(p))
        : tensor('float32', shape, p);
    }
    const r = await this.session.run(feeds as Feeds);
    const loss = Number(r[LOSS_OUTPUT]!.data[0]);
    const grads = new Map<string, Float32Array>();
    const exactGrads = new Map<string, Float64Array>();
    for (const name of this.step.trainable) {
      const d = r[gradName(name)]!.data as Float32Array | Float64Array;
      if (d instanceof Float64Array) exactGrads.set(name, d);
      grads.set(name, d instanceof Float32Array ? d : Float32Array.from(d));
    }
    return f64 ? { loss, grads, exactGrads } : { loss, grads };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
