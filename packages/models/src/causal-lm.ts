// loadCausalLM: a model folder (config.json, model.onnx, generation_config.json) as a causal LM
// with forward() (full logits, attention maps) and batched generate() with a KV cache.
import { ExpError } from '@exp/data';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Checkpoint } from './checkpoint.js';
import { loadModelConfig, type ModelConfig } from './config.js';
import { runGeneration } from './generation/generate.js';
import {
  loadGenerationConfig,
  resolveGenerateOptions,
  type GenerateOptions,
  type GenerationConfigFile,
} from './generation/options.js';
import { schedule, type Finished, type GenerationResult } from './generation/scheduler.js';
import {
  checkStreamOptions,
  lengthOrder,
  type StreamGenerateOptions,
} from './generation/stream.js';
import { VALUE_NORMS_OUTPUT } from './arch/value-norms.js';
import { checkExportedFolder } from './registry/folder-check.js';
import { buildLlamaDecoderGraph, type WeightSource } from './runtime/decoder-graph.js';
import {
  emptyPastFeeds,
  int64Rows,
  pastKvType,
  positionsFromMask,
  tokenFeeds,
  type KvType,
} from './runtime/decoder-io.js';
import { externalKvDecoder, presentDecoder } from './runtime/cached-decoder.js';
import {
  KNOCKOUT_KEYS_INPUT,
  knockoutFeeds,
  knockoutKeys,
  resolveKnockout,
  type Knockout,
} from './runtime/knockout-feeds.js';
import { readOnnxWeights } from './runtime/onnx-weights.js';
import { scorePlan, type ScoreExtra } from './runtime/score-feeds.js';
import {
  buildScoreGraph,
  SCORE_LOGPROBS_OUTPUT,
  SCORE_LOGSUMEXP_OUTPUT,
} from './runtime/score-graph.js';
import type { ort } from './runtime/ort.js';
import { createSession, type InferenceSession, type SessionConfig } from './runtime/session.js';
import type { GenerationPath, StepDecoder } from './runtime/step-decoder.js';

export type { GenerationResult } from './generation/scheduler.js';
export type { GenerationPath } from './runtime/step-decoder.js';
export type { ScoreExtra } from './runtime/score-feeds.js';

export class ModelLoadError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

export interface LoadCausalLMOptions extends SessionConfig {
  /** The exported decoder (default `<dir>/model.onnx`); forward() always runs this file. */
  modelPath?: string;
  /**
   * How generate() runs the decoder: 'external-kv' builds the fast decode graph (Llama or
   * DiffLlama, float32 weights) with the KV cache kept in JS buffers; 'present' runs model.onnx feeding presents
   * back as past; 'auto' (default) takes 'external-kv' where it can be built, else 'present'.
   */
  decoder?: 'auto' | GenerationPath;
  /**
   * Where the external-kv graph reads its weights: a checkpoint folder (safetensors), or by
   * default the initializers of modelPath (the exporter names them by state-dict name).
   */
  weightsFrom?: string;
  /**
   * Build the external-kv graph with the attention-knockout inputs, so that generate() can take
   * `knockout` (the 'present' path needs a model.onnx exported with `knockout`).
   */
  knockout?: boolean;
  /** Largest position the external-kv graph supports (default: max_position_embeddings, <= 32768). */
  maxPositions?: number;
}

export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

export interface ForwardInput {
  /** [B][S] token ids (rows of equal length; left-pad yourself and pass the mask). */
  inputIds: number[][];
  /** [B][S] 1/0, default all ones. */
  attentionMask?: number[][];
  /** [B][S], default clamp(cumsum(mask) - 1, 0). */
  positionIds?: number[][];
  /** Also return attentions.{i} [B,H,S,S] (and lambda_full for DiffLlama); needs an export with attentions. */
  outputAttentions?: boolean;
  /** Attention knockout (spans are columns of inputIds); needs an export with `knockout`. */
  knockout?: Knockout;
  /** Also return value_norms.{i} [B, H', S] (per head ‖W_O^h v_j‖); needs an export with valueNorms. */
  outputValueNorms?: boolean;
}

export interface ForwardOutput {
  /** [B, S, V] */
  logits: FloatTensor;
  /** Per layer [B, H, S, S] post-softmax maps. */
  attentions?: FloatTensor[];
  /** DiffLlama: lambda_full per layer. */
  lambdaFull?: number[];
  /** Per layer [B, H', S]: ‖W_O^h v_j‖ per head (H' = H/2 differential pairs for DiffLlama). */
  valueNorms?: FloatTensor[];
}

export interface ScoreInput {
  /** [B][S] token ids (rows of equal length; left-pad yourself and pass the mask). */
  inputIds: number[][];
  /** [B][S] 1/0, default all ones. */
  attentionMask?: number[][];
  /** [B][S], default clamp(cumsum(mask) - 1, 0). */
  positionIds?: number[][];
  /**
   * [B][S]: at position t, the id whose log-probability under the next-token distribution at t
   * is wanted (teacher forcing: inputIds[b][t + 1]); -1 skips t (its LM head is not run).
   */
  targets: number[][];
  /** Further ids wanted at a position (at most one entry per row and position). */
  extraIds?: readonly ScoreExtra[];
  /** Attention knockout (spans are columns of inputIds); needs an export with `knockout`. */
  knockout?: Knockout;
}

export interface ScoreOutput {
  /** [B, S] log p(targets[b][t]) = logit - logsumexp, float32; NaN where skipped. */
  targetLogprobs: FloatTensor;
  /** [B, S] logsumexp of the logits at t, float32; NaN where nothing was scored. */
  logsumexp: FloatTensor;
  /** Per extraIds entry, the log-probability of each of its ids. */
  extraLogprobs: Float32Array[];
}

/** What forward() can return and in which precision the exported model keeps its cache. */
export interface ModelOutputsInfo {
  attentions: boolean;
  /** Whether model.onnx has the attention-knockout inputs (forward({ knockout })). */
  knockout: boolean;
  /** value_norms.{i} outputs (export option valueNorms). */
  valueNorms: boolean;
  cacheType: KvType;
}

export class CausalLM {
  private standard: Promise<InferenceSession> | null = null;
  private scoring: Promise<InferenceSession> | null = null;

  constructor(
    readonly dir: string,
    readonly config: ModelConfig,
    readonly generationConfig: GenerationConfigFile | null,
    readonly modelPath: string,
    private readonly sessionConfig: SessionConfig,
    private readonly decoder: StepDecoder | null,
    /** Why generate() runs the path it does (e.g. why the fast path was not built). */
    readonly generationPathNote: string,
  ) {}

  /** The session of model.onnx, created on first use. */
  private standardSession(): Promise<InferenceSession> {
    if (!this.standard) {
      if (!existsSync(this.modelPath)) {
        return Promise.reject(new ModelLoadError(`${this.modelPath}: no such model file`));
      }
      this.standard = createSession(this.modelPath, this.sessionConfig);
    }
    return this.standard;
  }

  get generationPath(): GenerationPath {
    return this.decoder?.path ?? 'present';
  }

  private stepDecoder: StepDecoder | null = null;
  private async getStepDecoder(): Promise<StepDecoder> {
    if (this.decoder) return this.decoder;
    this.stepDecoder ??= presentDecoder(await this.standardSession(), kvShape(this.config));
    return this.stepDecoder;
  }

  /**
   * Whether model.onnx has attention outputs and knockout inputs, and its cache type (fp16
   * exports: float16).
   */
  async outputsInfo(): Promise<ModelOutputsInfo> {
    const session = await this.standardSession();
    return {
      attentions: session.outputNames.includes('attentions.0'),
      knockout: session.inputNames.includes(KNOCKOUT_KEYS_INPUT),
      valueNorms: session.outputNames.includes(VALUE_NORMS_OUTPUT(0)),
      cacheType: pastKvType(session) ?? 'float32',
    };
  }

  /** Token, empty-cache and knockout feeds of a forward-like call on `session`. */
  private feeds(
    what: string,
    session: InferenceSession,
    input: Pick<ForwardInput, 'inputIds' | 'attentionMask' | 'positionIds' | 'knockout'>,
  ): { feeds: Record<string, ort.Tensor>; batch: number; seq: number } {
    const batch = input.inputIds.length;
    if (batch === 0) throw new Error(`${what}: inputIds is empty`);
    const seq = input.inputIds[0]!.length;
    const rows = (field: string, v: number[][]) => {
      if (v.length !== batch) {
        throw new Error(`${what}: ${field} has ${v.length} rows, expected ${batch}`);
      }
      return int64Rows(`${what}: ${field}`, v, seq);
    };
    const ids = rows('inputIds', input.inputIds);
    const mask = input.attentionMask
      ? rows('attentionMask', input.attentionMask)
      : new BigInt64Array(batch * seq).fill(1n);
    const positions = input.positionIds
      ? rows('positionIds', input.positionIds)
      : positionsFromMask(mask, batch);
    const feeds: Record<string, ort.Tensor> = {
      ...tokenFeeds(ids, mask, positions, batch),
      ...emptyPastFeeds(pastKvType(session) ?? 'float32', batch, kvShape(this.config)),
    };
    if (session.inputNames.includes(KNOCKOUT_KEYS_INPUT)) {
      // the plain model's outputs, bitwise, when no knockout is asked for
      const k = input.knockout
        ? resolveKnockout(
            what,
            input.knockout,
            new Array<number>(batch).fill(seq),
            this.config.numLayers,
          )
        : { fromLayer: 0, blocked: [] as Uint8Array[] };
      Object.assign(feeds, knockoutFeeds(knockoutKeys(k.blocked, seq, batch), batch, k.fromLayer));
    } else if (input.knockout) {
      throw new ModelLoadError(
        `${this.modelPath} has no input ${KNOCKOUT_KEYS_INPUT}: export it with knockout to knock attention out`,
      );
    }
    return { feeds, batch, seq };
  }

  async forward(input: ForwardInput): Promise<ForwardOutput> {
    const session = await this.standardSession();
    const { feeds } = this.feeds('forward', session, input);
    const { numLayers: L } = this.config;
    const fetches = ['logits'];
    if (input.outputAttentions) {
      for (let i = 0; i < L; i++) fetches.push(`attentions.${i}`);
      if (this.config.modelType === 'diffllama') {
        for (let i = 0; i < L; i++) fetches.push(`lambda_full.${i}`);
      }
      const missing = fetches.filter((f) => !session.outputNames.includes(f));
      if (missing.length) {
        throw new ModelLoadError(
          `${this.modelPath} has no output ${missing[0]}: export it with attentions to get attention maps`,
        );
      }
    }
    if (input.outputValueNorms) {
      for (let i = 0; i < L; i++) fetches.push(VALUE_NORMS_OUTPUT(i));
      if (!session.outputNames.includes(VALUE_NORMS_OUTPUT(0))) {
        throw new ModelLoadError(
          `${this.modelPath} has no output ${VALUE_NORMS_OUTPUT(0)}: export it with valueNorms to get value norms`,
        );
      }
    }
    const out = await session.run(feeds, fetches);
    const asFloat = (t: ort.Tensor): FloatTensor => {
      if (t.type !== 'float32') throw new Error(`output has type ${t.type}, expected float32`);
      return { data: t.data as Float32Array, dims: [...t.dims] };
    };
    const result: ForwardOutput = { logits: asFloat(out.logits!) };
    if (input.outputAttentions) {
      result.attentions = Array.from({ length: L }, (_, i) => asFloat(out[`attentions.${i}`]!));
      if (this.config.modelType === 'diffllama') {
        result.lambdaFull = Array.from(
          { length: L },
          (_, i) => (out[`lambda_full.${i}`]!.data as Float32Array)[0]!,
        );
      }
    }
    if (input.outputValueNorms) {
      result.valueNorms = Array.from({ length: L }, (_, i) => asFloat(out[VALUE_NORMS_OUTPUT(i)]!));
    }
    return result;
  }

  /** The scoring graph's session (model.onnx with the reducing LM head), built on first use. */
  private scoreSession(): Promise<InferenceSession> {
    if (!this.scoring) {
      if (!existsSync(this.modelPath)) {
        return Promise.reject(new ModelLoadError(`${this.modelPath}: no such model file`));
      }
      this.scoring = (async () =>
        createSession(
          buildScoreGraph(this.modelPath, this.config.vocabSize),
          this.sessionConfig,
        ))();
    }
    return this.scoring;
  }

  /**
   * Teacher-forced scoring without the [B, S, V] logits: the LM head runs in onnxruntime on the
   * scored positions only, reduced there to each wanted id's log-probability and the
   * logsumexp (float32; runtime/score-graph.ts). Same logits as forward() (it is model.onnx).
   */
  async score(input: ScoreInput): Promise<ScoreOutput> {
    const session = await this.scoreSession();
    const { feeds, batch, seq } = this.feeds('score', session, input);
    const extras = input.extraIds ?? [];
    const plan = scorePlan(input.targets, extras, batch, seq, this.config.vocabSize);
    Object.assign(feeds, plan.feeds);
    const out = await session.run(feeds, [SCORE_LOGPROBS_OUTPUT, SCORE_LOGSUMEXP_OUTPUT]);
    const lps = out[SCORE_LOGPROBS_OUTPUT]!.data as Float32Array;
    const lse = out[SCORE_LOGSUMEXP_OUTPUT]!.data as Float32Array;
    const targetLogprobs = new Float32Array(batch * seq).fill(NaN);
    const logsumexp = new Float32Array(batch * seq).fill(NaN);
    const { n, k } = plan;
    plan.slots.forEach((row, b) =>
      row.forEach((t, s) => {
        logsumexp[b * seq + t] = lse[b * n + s]!;
        if (input.targets[b]![t]! >= 0) targetLogprobs[b * seq + t] = lps[(b * n + s) * k]!;
      }),
    );
    const extraLogprobs = extras.map((e, j) => {
      const at = (e.row * n + plan.extraSlot[j]!) * k + 1;
      return lps.slice(at, at + e.ids.length);
    });
    return {
      targetLogprobs: { data: targetLogprobs, dims: [batch, seq] },
      logsumexp: { data: logsumexp, dims: [batch, seq] },
      extraLogprobs,
    };
  }

  private resolve(prompts: number[][], options: GenerateOptions) {
    const resolved = resolveGenerateOptions(options, prompts.length, {
      file: this.generationConfig,
      eosTokenIds: this.config.eosTokenIds,
      padTokenId: this.config.padTokenId,
    });
    if (options.knockout) {
      const lengths = prompts.map((p) => p.length);
      resolved.knockout = resolveKnockout(
        'generate',
        options.knockout,
        lengths,
        this.config.numLayers,
      );
    }
    return resolved;
  }

  /** Calls of generate() run one after another: they share the decoder's KV cache. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Generates for each prompt (token ids); returns its new tokens and why it stopped. */
  generate(prompts: number[][], options: GenerateOptions): Promise<GenerationResult[]> {
    const run = this.queue.then(async () => {
      const resolved = this.resolve(prompts, options);
      return runGeneration(await this.getStepDecoder(), prompts, resolved, this.config.vocabSize);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Continuous batching: keeps `batchSize` rows busy and yields each prompt's result as soon
   * as its row stops (in finishing order, with the prompt's index); the next prompt then takes
   * the row. Greedy results are the same ids as generate() gives each prompt alone. Rows cut
   * by `signal` come back with finishReason 'aborted'; prompts not started are not yielded.
   * Runs after any generate() call before it (they share the decoder's cache).
   */
  async *generateStream(
    prompts: number[][],
    options: StreamGenerateOptions,
  ): AsyncGenerator<Finished> {
    const { batchSize, window, prefillGroup } = checkStreamOptions(options);
    const resolved = this.resolve(prompts, options);
    let release!: () => void;
    const turn = this.queue;
    this.queue = new Promise<void>((r) => (release = r));
    try {
      await turn;
      yield* schedule(await this.getStepDecoder(), prompts, resolved, this.config.vocabSize, {
        batchSize,
        order: lengthOrder(prompts, window),
        prefillGroup,
        onProgress: options.onProgress,
      });
    } finally {
      release();
    }
  }

  async dispose(): Promise<void> {
    await this.decoder?.release();
    if (this.standard) await (await this.standard).release();
    if (this.scoring) await (await this.scoring).release();
  }
}

function kvShape(config: ModelConfig) {
  return { layers: config.numLayers, kvHeads: config.numKvHeads, headDim: config.headDim };
}

/** The protobuf limit, with room for the graph itself. */
const MAX_IN_MEMORY_GRAPH_BYTES = 1.9e9;

/** Float32 bytes of the decode graph's initializers (with or without a tied head's copy). */
function decodeGraphBytes(c: ModelConfig, shareTiedHead: boolean): number {
  const { hiddenSize: E, numHeads: H, numKvHeads: KV, headDim: D, intermediateSize: I } = c;
  const perLayer = E * (H + 2 * KV) * D + H * D * E + 3 * E * I + 2 * E;
  const embeddings = (c.tieWordEmbeddings && shareTiedHead ? 1 : 2) * c.vocabSize * E;
  return 4 * (embeddings + c.numLayers * perLayer + E);
}

/** Weights for the external-kv graph, or the reason they cannot be had. */
function externalKvWeights(
  config: ModelConfig,
  modelPath: string,
  weightsFrom: string | undefined,
): { weights: WeightSource; close: () => void } | string {
  const bytes = decodeGraphBytes(config, true);
  if (bytes > MAX_IN_MEMORY_GRAPH_BYTES) {
    return `its weights (${(bytes / 1e9).toFixed(2)} GB) exceed what one in-memory ONNX file holds (2 GB)`;
  }
  if (weightsFrom) {
    const ckpt = Checkpoint.open(weightsFrom);
    return { weights: (name) => ckpt.readFloat32(name), close: () => ckpt.close() };
  }
  if (!existsSync(modelPath)) return `${modelPath} does not exist`;
  const w = readOnnxWeights(modelPath);
  if (w.otherTypes.has('model.embed_tokens.weight')) return `${modelPath} has float16 weights`;
  const need = ['model.embed_tokens.weight', 'model.layers.0.self_attn.q_proj.weight'];
  const missing = need.find((n) => !w.floats.has(n));
  if (missing) return `${modelPath} has no initializer named ${missing} (not exported by exp)`;
  return {
    weights: (name) => {
      const t = w.floats.get(name);
      if (!t) throw new ModelLoadError(`${modelPath}: no initializer ${name}`);
      return t;
    },
    close: () => w.floats.clear(),
  };
}

export async function loadCausalLM(dir: string, opts: LoadCausalLMOptions = {}): Promise<CausalLM> {
  const root = path.resolve(dir);
  checkExportedFolder(root); // a stale or mixed export is refused in one line
  const config = loadModelConfig(root);
  const generationConfig = loadGenerationConfig(root);
  const modelPath = path.resolve(root, opts.modelPath ?? 'model.onnx');
  const sessionConfig: SessionConfig = {
    device: opts.device,
    threads: opts.threads,
    deviceId: opts.deviceId,
    logSeverityLevel: opts.logSeverityLevel,
    configEntries: opts.configEntries,
  };
  const want = opts.decoder ?? 'auto';
  let decoder: StepDecoder | null = null;
  let note = 'decoder: present (model.onnx feeding presents back as past)';
  if (want !== 'present') {
    const source = externalKvWeights(config, modelPath, opts.weightsFrom);
    if (typeof source === 'string') {
      if (want === 'external-kv')
        throw new ModelLoadError(`cannot build the external-kv graph: ${source}`);
      note = `decoder: present (${source})`;
    } else {
      try {
        const maxPositions =
          opts.maxPositions ?? Math.min(config.maxPositionEmbeddings ?? 4096, 32768);
        const bytes = buildLlamaDecoderGraph(config, source.weights, {
          kvIo: 'external',
          lastTokenLogits: true,
          maxPositions,
          shareTiedHead: decodeGraphBytes(config, false) > MAX_IN_MEMORY_GRAPH_BYTES,
          penalizedArgmax: true,
          knockout: opts.knockout ?? false,
        });
        const session = await createSession(bytes, sessionConfig);
        decoder = externalKvDecoder(session, kvShape(config), maxPositions);
        note = 'decoder: external-kv (cache in JS buffers, new keys/values only per step)';
      } finally {
        source.close();
      }
    }
  }
  if (!decoder && !existsSync(modelPath)) {
    throw new ModelLoadError(`${modelPath}: no such model file`);
  }
  return new CausalLM(root, config, generationConfig, modelPath, sessionConfig, decoder, note);
}
