// Bad input of the data commands (see case.ts).
import type { BadInputCase } from './case.js';

export const DATA_CASES: readonly BadInputCase[] = [];
