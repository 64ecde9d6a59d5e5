// The golden checkpoints (shared/golden, see its README) and their training batch.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, type RawTensor } from '@exp/models';
import type { TrainingBatch } from '../src/index.js';

export const SHARED =
  process.env.EXP_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared', import.meta.url));
export const MODELS = [
  'tiny-llama',
  'tiny-llama-tied',
  'tiny-diffllama',
  'tiny-llama-l3',
  'tiny-diffllama-l3',
];

export const goldenDir = (model: string): string => path.join(SHARED, 'golden', model);

export function readGolden(model: string): Map<string, RawTensor> {
  return readSafetensors(path.join(goldenDir(model), 'golden.safetensors'));
}

/** golden train.input_ids / train.labels as a TrainingBatch. */
export function trainBatch(golden: ReadonlyMap<string, RawTensor>): TrainingBatch {
  const ids = golden.get('train.input_ids')!;
  return {
    dims: ids.shape as [number, number],
    inputIds: ids.data as BigInt64Array,
    labels: golden.get('train.labels')!.data as BigInt64Array,
  };
}
