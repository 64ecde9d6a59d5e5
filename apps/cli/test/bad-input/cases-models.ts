// Bad input of the models commands (see case.ts).
import type { BadInputCase } from './case.js';

export const MODELS_CASES: readonly BadInputCase[] = [];
