import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `../shared` beside the repository (EXP_SHARED_DIR overrides). */
export const SHARED_DIR =
  process.env.EXP_SHARED_DIR ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared');
export const GSM8K_DIR = path.join(SHARED_DIR, 'data/gsm8k');
