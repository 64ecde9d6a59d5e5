import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** `../shared` beside the repository (EXP_SHARED_DIR overrides). */
export const SHARED_DIR =
  process.env.EXP_SHARED_DIR ?? fileURLToPath(new URL('../../../../../shared', import.meta.url));

export const GOLDEN_MODELS = [
  'tiny-llama',
  'tiny-llama-tied',
  'tiny-diffllama',
  'tiny-llama-l3',
  'tiny-diffllama-l3',
] as const;
export type GoldenModel = (typeof GOLDEN_MODELS)[number];

export function goldenDir(name: GoldenModel): string {
  return path.join(SHARED_DIR, 'golden', name);
}
