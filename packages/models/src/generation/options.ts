// generate() options: validated with zod, defaults taken from the model folder's
// generation_config.json, then from transformers' GenerationConfig defaults.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  LogitsProcessorList,
  RepetitionPenaltyLogitsProcessor,
  TemperatureLogitsWarper,
  TopKLogitsWarper,
  TopPLogitsWarper,
  type LogitsProcessor,
} from './logits-process.js';
import { createRng, type Rng, ExpError } from '@exp/data';
import {
  MaxNewTokensCriteria,
  StopTokenCriteria,
  type StoppingCriterion,
} from './stopping-criteria.js';
import type { StepLogitsCallback, TokenCallback } from './streamer.js';
import { GenerationConfigSchema, type GenerationConfigFile } from '../generation-config.js';
import type { Knockout, ResolvedKnockout } from '../runtime/knockout-feeds.js';

export class GenerationOptionsError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'GenerationOptionsError';
  }
}

const tokenId = z.number().int().nonnegative();

export const generateOptionsSchema = z.object({
  maxNewTokens: z.number().int().positive(),
  doSample: z.boolean().optional(),
  temperature: z.number().positive().optional(),
  topK: z.number().int().positive().optional(),
  topP: z.number().gt(0).lte(1).optional(),
  /** One seed for the batch (row r uses a stream derived from (seed, r)) or one per prompt. */
  seed: z.union([z.number().int(), z.array(z.number().int())]).optional(),
  repetitionPenalty: z.number().positive().optional(),
  stopTokenIds: z.array(tokenId).optional(),
  padTokenId: tokenId.optional(),
});

export interface GenerateOptions extends z.infer<typeof generateOptionsSchema> {
  /** Called after every decoding step (progress, streaming). */
  onToken?: TokenCallback;
  /** Stops generation between steps; rows still running finish with reason 'aborted'. */
  signal?: AbortSignal;
  /** Extra processors run after the built-in ones (before sampling). */
  logitsProcessors?: LogitsProcessor[];
  /** Extra stopping rules checked after the built-in ones (stop token ids, maxNewTokens). */
  stoppingCriteria?: StoppingCriterion[];
  /**
   * Sees the raw logits each token is chosen from (before any processor). Setting it makes
   * every step return logits, also where the decoder could return the argmax alone.
   */
  onStepLogits?: StepLogitsCallback;
  /**
   * Attention knockout per prompt (spans are token positions of the prompt; they stay blocked
   * for every generated token). Needs a model loaded with `knockout` (or, on the 'present'
   * path, a model.onnx exported with it).
   */
  knockout?: Knockout;
}

export type { GenerationConfigFile };

/** Reads `<dir>/generation_config.json` if present (null otherwise). */
export function loadGenerationConfig(dir: string): GenerationConfigFile | null {
  const file = path.join(dir, 'generation_config.json');
  if (!existsSync(file)) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GenerationOptionsError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const parsed = GenerationConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GenerationOptionsError(`${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** Everything generate() needs, with defaults resolved. */
export interface ResolvedGeneration {
  maxNewTokens: number;
  doSample: boolean;
  /** One generator per row (used only when sampling). */
  rngs: Rng[];
  stopTokenIds: number[];
  padTokenId: number;
  processors: LogitsProcessorList;
  /** Built-in rules first (stop tokens, then max new tokens), then the caller's. */
  criteria: StoppingCriterion[];
  onToken?: TokenCallback;
  onStepLogits?: StepLogitsCallback;
  signal?: AbortSignal;
  /** Checked per-prompt knockout (CausalLM resolves it against the prompts). */
  knockout?: ResolvedKnockout;
}

/** Model-level defaults: eos/pad ids from config.json and generation_config.json. */
export interface GenerationDefaults {
  file: GenerationConfigFile | null;
  eosTokenIds: number[];
  padTokenId: number | null;
}

export function resolveGenerateOptions(
  options: GenerateOptions,
  batch: number,
  defaults: GenerationDefaults,
): ResolvedGeneration {
  const parsed = generateOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GenerationOptionsError(`generate options: ${issue.path.join('.')}: ${issue.message}`);
  }
  const o = parsed.data;
  const f = defaults.file ?? {};
  const doSample = o.doSample ?? f.do_sample ?? false;
  const fileEos = f.eos_token_id == null ? [] : [f.eos_token_id].flat();
  const stopTokenIds = o.stopTokenIds ?? (fileEos.length ? fileEos : defaults.eosTokenIds);
  // HF falls back to the (first) eos id when no pad id exists
  const padTokenId = o.padTokenId ?? f.pad_token_id ?? defaults.padTokenId ?? stopTokenIds[0] ?? 0;

  // One seed: row r draws from stream (seed, r). Per-prompt seeds: prompt r from (seed[r], 0),
  // so its sample does not depend on which batch it ran in.
  const seed = o.seed;
  if (Array.isArray(seed) && seed.length !== batch) {
    throw new GenerationOptionsError(
      `generate options: seed has ${seed.length} values for ${batch} prompts`,
    );
  }
  const rngs = Array.from({ length: batch }, (_, r) =>
    Array.isArray(seed)
      ? createRng(seed[r]!).fork('sample')
      : createRng(seed ?? 0).fork(`row:${r}`),
  );

  // Order as transformers' _get_logits_processor: penalties, then temperature, top-k, top-p.
  const processors: LogitsProcessor[] = [];
  const penalty = o.repetitionPenalty ?? f.repetition_penalty ?? 1;
  if (penalty !== 1) processors.push(new RepetitionPenaltyLogitsProcessor(penalty));
  if (doSample) {
    const temperature = o.temperature ?? f.temperature ?? 1;
    const topK = o.topK ?? f.top_k ?? 50; // GenerationConfig default top_k = 50
    const topP = o.topP ?? f.top_p ?? 1;
    if (temperature !== 1) processors.push(new TemperatureLogitsWarper(temperature));
    if (topK > 0) processors.push(new TopKLogitsWarper(topK));
    if (topP < 1) processors.push(new TopPLogitsWarper(topP));
  }
  processors.push(...(options.logitsProcessors ?? []));
  const criteria: StoppingCriterion[] = [];
  if (stopTokenIds.length) criteria.push(new StopTokenCriteria(stopTokenIds));
  criteria.push(new MaxNewTokensCriteria(o.maxNewTokens), ...(options.stoppingCriteria ?? []));

  return {
    maxNewTokens: o.maxNewTokens,
    doSample,
    rngs,
    stopTokenIds,
    padTokenId,
    processors: new LogitsProcessorList(processors),
    criteria,
    onToken: options.onToken,
    onStepLogits: options.onStepLogits,
    signal: options.signal,
  };
}
