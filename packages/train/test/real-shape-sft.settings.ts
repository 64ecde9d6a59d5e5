// What real-shape-sft.test.ts fine-tunes: the real models' vocabulary and width at 2 layers,
// the seed's batch 2 and accumulation 2, 8 GSM8K items cut to 128 tokens (2 optimizer steps).
import { REAL_SHAPE_CONFIG as REAL_MODELS } from '@exp/models';

export const REAL_SHAPE_CONFIG = { ...REAL_MODELS, num_hidden_layers: 2 };

export const REAL_SHAPE_SFT = {
  samples: 8,
  epochs: 1,
  batchSize: 2,
  gradAccum: 2,
  maxLength: 128,
  lossOn: 'all' as const,
  lr: 1e-3,
};
