// The training-step graph: the decoder of @exp/models with its weights turned into graph inputs
// (named by their HF state-dict names), the causal-LM loss on `labels`, and the gradient of every
// trainable parameter. One onnxruntime run is one forward + backward pass.
import {
  cpuTensor,
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
import { collectGarbage } from './memory.js';
import { causalLmLoss, causalLmLossWithGrad } from './loss.js';
import { GradientError } from './types.js';

export const LOSS_OUTPUT = 'loss';
export const gradName = (param: string): string => `grad.${param}`;
/** Inputs of an accumulating step: the sums so far per parameter, and the new gradient's weight. */
export const accName = (param: string): string => `acc.${param}`;
export const GRAD_SCALE_INPUT = 'grad_scale';

export interface TrainingStepOptions {
  /** Parameters that get a gradient output (default: all); the rest are frozen inputs. */
  trainable?: readonly string[];
  /** Attention implementation of the decoder (default 'eager', what the golden data uses). */
  attention?: AttentionImplementation;
  /**
   * Gradient accumulation in the graph: float32 inputs `acc.<name>` (the parameter's shape) and
   * `grad_scale` (scalar), and `grad.<name>` = acc.<name> + grad_scale * gradient. With the
   * output written into the input's own buffer (TrainingStep.run's `into`), a run adds its
   * gradients to a group's sums where they lie, as torch's backward adds to `.grad`.
   */
  accumulate?: boolean;
}

export interface TrainingStepGraph {
  graph: GraphBuilder;
  config: ModelConfig;
  /** Every parameter input: HF name -> shape (tied models have no lm_head.weight). */
  parameters: ReadonlyMap<string, readonly number[]>;
  /** The parameters with a `grad.<name>` output, in state-dict order. */
  trainable: readonly string[];
  /** Built with `accumulate`: grad.<name> outputs are acc.<name> + grad_scale * gradient. */
  accumulate: boolean;
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
  const accumulate = opts.accumulate ?? false;
  const scale = accumulate ? g.input(GRAD_SCALE_INPUT, DataType.FLOAT, []) : undefined;
  grads.forEach((dw, i) => {
    const name = trainable[i]!;
    const shape = parameters.get(name)!;
    // acc + scale * dw: the same two float32 roundings as the optimizer's accumulate kernel
    const out = scale ? o.add(g.input(accName(name), DataType.FLOAT, shape), o.mul(dw, scale)) : dw;
    g.output(out, gradName(name), DataType.FLOAT, shape);
  });
  return { graph: g, config, parameters, trainable, accumulate };
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
  /**
   * Gradients in float32 (a float64 step's rounded), what the optimiser takes; for an
   * accumulating step, the sums: `into`'s own arrays.
   */
  grads: Map<string, Float32Array>;
  /** A float64 step's gradients before rounding (absent for float32). */
  exactGrads?: Map<string, Float64Array>;
}

/**
 * 'float64' replays the step graph in float64 (retypeGraph; parameters still come in float32 and
 * are promoted): a reference to check the float32 step against, about 3x slower.
 */
export type StepPrecision = 'float32' | 'float64';

export interface AccumulateInto {
  /** Per trainable parameter, the sums so far; the run adds `scale` x its gradient in place. */
  into: ReadonlyMap<string, Float32Array>;
  scale: number;
}

const lossOf = async (run: ReturnType<Session['run']>): Promise<number> =>
  Number((await run)[LOSS_OUTPUT]!.data[0]);

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
    if (f64 && step.accumulate) {
      throw new GradientError('accumulate: float32 steps only (the sums are float32 buffers)');
    }
    const meta = {
      irVersion: EXPORT_IR_VERSION,
      opsetImports: [{ domain: '', version: EXPORT_OPSET }],
      producerName: 'exp-train',
      producerVersion: '0',
    };
    // float64 without onnxruntime's extended fusions: they fold scales into a float32 attribute
    const model = encodeModel(f64 ? retypeGraph(step.graph) : step.graph, meta);
    // no memory pattern: its one block for all intermediates, planned at the second run, held
    // 7 GB more than the first run's peak at 375M (see SessionConfig.memPattern). No arena when
    // there are gradients: it kept a run's peak of intermediates beside the gradients and the
    // binding's copies of them (375M, seed settings: 10.2 GiB peak with it, 8.2 without); a
    // forward-only step keeps it (freed [B, S, V] buffers come back as page faults without).
    const memArena = step.trainable.length === 0;
    const base = { memPattern: false, memArena, ...opts.session };
    const session = f64 ? { ...base, optimization: 'basic' as const } : base;
    return new TrainingStep(await createSession(model, session), step, precision);
  }

  get parameters(): ReadonlyMap<string, readonly number[]> {
    return this.step.parameters;
  }

  get trainable(): readonly string[] {
    return this.step.trainable;
  }

  /**
   * One forward + backward pass. An accumulating step (built with `accumulate`) needs `acc`: it
   * adds acc.scale x the gradients into acc.into's arrays in place, and returns those as grads.
   */
  async run(
    params: ReadonlyMap<string, Float32Array>,
    batch: TrainingBatch,
    acc?: AccumulateInto,
  ): Promise<StepResult> {
    if (this.step.accumulate !== (acc !== undefined)) {
      throw new GradientError(
        this.step.accumulate
          ? 'run: an accumulating step needs the sums to add to (acc)'
          : 'run: acc given, but this step was built without accumulate',
      );
    }
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
    if (acc) return this.runInto(feeds, acc);
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

  /**
   * The accumulating run: each sum is both the input acc.<name> and the preallocated output
   * grad.<name>, so onnxruntime writes the new sums into the same buffers (an elementwise Add
   * may run in place) instead of allocating 1.5 GB (375M) of outputs of its own.
   */
  private async runInto(feeds: Record<string, unknown>, acc: AccumulateInto): Promise<StepResult> {
    const fetches: Record<string, ReturnType<typeof cpuTensor> | null> = { [LOSS_OUTPUT]: null };
    for (const name of this.step.trainable) {
      const s = acc.into.get(name);
      const shape = this.step.parameters.get(name)!;
      if (s?.length !== shape.reduce((a, b) => a * b, 1)) {
        throw new GradientError(`acc.into: '${name}' needs ${shape.join(' x ')} float32 values`);
      }
      const t = cpuTensor(s, shape);
      feeds[accName(name)] = t;
      fetches[gradName(name)] = t;
    }
    feeds[GRAD_SCALE_INPUT] = cpuTensor(Float32Array.of(acc.scale), []);
    // onnxruntime-node 1.30 still returns a copy of every output (1.5 GB at 375M): garbage at
    // once, freed now rather than beside AdamW's pass or the next run. Only the loss leaves
    // lossOf: a frame that awaited the run itself kept the copies reachable through this GC.
    const loss = await lossOf(this.session.run(feeds as Feeds, fetches));
    collectGarbage();
    return { loss, grads: new Map(this.step.trainable.map((n) => [n, acc.into.get(n)!])) };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
