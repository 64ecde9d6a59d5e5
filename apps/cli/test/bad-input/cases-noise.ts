// Bad input of the noise commands (see case.ts).
import type { BadInputCase } from './case.js';

export const NOISE_CASES: readonly BadInputCase[] = [];
