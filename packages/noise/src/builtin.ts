import { DEFAULT_BANK } from './banks/default.js';
import type { NoiseBank } from './banks/bank.js';
import { sentenceNoise, type NoiseDefinition } from './definition.js';

/** Names of the built-in noise types, in their default order. */
export const BUILTIN_NOISE_TYPES = ['inf', 'rcs', 'sd'] as const;

/** The three built-in noise types over a template bank (exp's own bank by default). */
export function builtinNoises(bank: NoiseBank = DEFAULT_BANK): NoiseDefinition[] {
  return [
    sentenceNoise({
      name: 'inf',
      description: 'Irrelevant numbers/facts: one sentence with numbers unrelated to the problem',
      sentence: bank.inf,
    }),
    sentenceNoise({
      name: 'rcs',
      description: 'Redundant calculation steps: one true but useless arithmetic fact',
      sentence: bank.rcs,
    }),
    sentenceNoise({
      name: 'sd',
      description:
        "Semantic distraction: one sentence on the question's topic that changes nothing",
      sentence: bank.sd,
    }),
  ];
}
