// Every table of the bad-input suite (one file per area, owned by whoever works on that area).
import type { BadInputCase } from './case.js';
import { CORE_CASES } from './cases-core.js';
import { DATA_CASES } from './cases-data.js';
import { MODELS_CASES } from './cases-models.js';
import { NOISE_CASES } from './cases-noise.js';

export const CASES: readonly BadInputCase[] = [
  ...CORE_CASES,
  ...MODELS_CASES,
  ...DATA_CASES,
  ...NOISE_CASES,
];
