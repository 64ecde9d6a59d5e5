// Planted models: two tiny models fine-tuned with @exp/train's SFT on synthetic problems so that
// they have a known reaction to INF noise. The "copier" (Llama) learns to answer with the last
// number of the question, so a noise sentence after it pulls its answer to the distractor; the
// "robust" model (DiffLlama) also sees noise sentences in training and learns to skip them. They
// give every measure a known direction (README, "Planted models").
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SEED } from '@exp/data';
import { exportCheckpoint, initRandomCheckpoint, PRESET_CONFIGS } from '@exp/models';
import { readSftLosses, trainSft } from '@exp/train';
import { plantedSets } from './planted-data.js';
import { PLANTED_BOS_ID, PLANTED_EOS_ID, writePlantedTokenizer } from './planted-tokenizer.js';

export const PLANTED_MODELS = ['copier', 'robust'] as const;
export type PlantedModelName = (typeof PLANTED_MODELS)[number];

/** The preset whose shape each planted model takes (vocabulary aside). */
const PRESET_OF = { copier: 'tiny-llama', robust: 'tiny-llama' } as const;

/** SFT settings of the planted models (tuned so the behaviour is reliable at the default seed). */
export const PLANTED_SFT = {
  trainSize: 12_000,
  batchSize: 16,
  gradAccum: 1,
  epochs: 1,
  /**
   * Per model: where the copy behaviour appears within 750 steps is sensitive to the seed and
   * lr (a sudden drop of the loss); these are the values that give it at the default seed.
   */
  lr: { copier: 2e-2, robust: 1e-2 },
  warmup: 10,
  lossOn: 'completion',
  format: 'sft',
} as const;

export interface PlantedModelsOptions {
  /** Output folder: tokenizer/, <model>/{init,sft,onnx}. */
  dir: string;
  /** Seeds the data, the initial weights and the SFT batches (default 42). */
  seed?: number;
  /** Training problems per model (default PLANTED_SFT.trainSize). */
  trainSize?: number;
  /** CPU threads of training and export (default: all cores). */
  threads?: number;
}

export interface PlantedModel {
  name: PlantedModelName;
  modelType: 'llama' | 'diffllama';
  /** The untrained checkpoint (config.json, model.safetensors, tokenizer). */
  init: string;
  /** The fine-tuned checkpoint (SFT's final/). */
  checkpoint: string;
  /** The fine-tuned model exported to ONNX with the knockout inputs. */
  onnx: string;
  steps: number;
  loss: { first: number; last: number };
  /** Wall time of the SFT in ms. */
  trainMs: number;
}

/** Texts the planted tokenizer is built from: every word the generator can write. */
function tokenizerCorpus(): string[] {
  // a fixed draw, not the user's seed: the vocabulary must not depend on it
  return plantedSets({ n: 400, seed: 0, name: 'vocabulary', sentences: 'mixed' }).noisy.map(
    (p) => `Question: ${p.question}\n\nAnswer: ${p.answer}`,
  );
}

/**
 * Builds both planted models in `dir`: a word-level tokenizer, seeded random tiny checkpoints
 * (the presets' shape with the planted vocabulary), SFT, ONNX export with knockout. Same seed,
 * same bytes.
 */
export async function buildPlantedModels(
  opts: PlantedModelsOptions,
): Promise<Record<PlantedModelName, PlantedModel>> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const n = opts.trainSize ?? PLANTED_SFT.trainSize;
  const corpus = tokenizerCorpus();
  const out = {} as Record<PlantedModelName, PlantedModel>;
  for (const name of PLANTED_MODELS) {
    const root = path.join(opts.dir, name);
    const init = path.join(root, 'init');
    mkdirSync(init, { recursive: true });
    const vocab = writePlantedTokenizer(init, corpus);
    await initRandomCheckpoint(
      init,
      {
        ...PRESET_CONFIGS[PRESET_OF[name]],
        vocab_size: vocab,
        bos_token_id: PLANTED_BOS_ID,
        eos_token_id: PLANTED_EOS_ID,
      },
      {
        seed,
        tokenizerDir: false,
        generationConfig: { bos_token_id: PLANTED_BOS_ID, eos_token_id: PLANTED_EOS_ID },
      },
    );
    // 2-3 counting sentences; the copier is asked about the last, the robust model the first
    const problems = plantedSets({
      n,
      seed,
      name: 'train',
      sentences: 'mixed',
      ask: name === 'copier' ? 'last' : 'first',
    }).clean;
    const t0 = performance.now();
    const { batchSize, gradAccum, epochs, lr, warmup, lossOn, format } = PLANTED_SFT;
    const result = await trainSft({
      checkpoint: init,
      problems,
      out: path.join(root, 'sft'),
      seed,
      batchSize,
      gradAccum,
      epochs,
      lr: lr[name],
      warmup,
      lossOn,
      format,
      saveTotalLimit: 0,
      threads: opts.threads,
    });
    const trainMs = performance.now() - t0;
    const onnx = path.join(root, 'onnx');
    await exportCheckpoint(result.out, onnx, { knockout: true, attentions: false });
    const losses = readSftLosses(path.join(root, 'sft'));
    out[name] = {
      name,
      modelType: 'llama',
      init,
      checkpoint: result.out,
      onnx,
      steps: result.steps,
      loss: { first: losses[0]?.loss ?? NaN, last: losses.at(-1)?.loss ?? NaN },
      trainMs,
    };
  }
  return out;
}
