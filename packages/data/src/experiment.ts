// The experiment's constants, defined once for every package: the seed of every random choice
// when none is given (the original's), and the dataset without noise that degradation is
// measured against.
export const DEFAULT_SEED = 42;
export const BASELINE_DATASET = 'clean';
