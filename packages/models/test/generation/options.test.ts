import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  GenerationOptionsError,
  loadGenerationConfig,
  resolveGenerateOptions,
} from '../../src/generation/options.js';
import {
  RepetitionPenaltyLogitsProcessor,
  TemperatureLogitsWarper,
  TopKLogitsWarper,
  TopPLogitsWarper,
} from '../../src/generation/logits-process.js';

const none = { file: null, eosTokenIds: [2], padTokenId: null };

it('defaults: greedy, stop on eos, pad falls back to eos, no processors', () => {
  const r = resolveGenerateOptions({ maxNewTokens: 5 }, 2, none);
  expect(r.doSample).toBe(false);
  expect(r.stopTokenIds).toEqual([2]);
  expect(r.padTokenId).toBe(2);
  expect(r.processors.length).toBe(0);
  expect(r.rngs).toHaveLength(2);
});

it('sampling uses transformers defaults (top_k 50) and generation_config.json values', () => {
  const r = resolveGenerateOptions({ maxNewTokens: 5, doSample: true }, 1, {
    file: { temperature: 0.7, top_p: 0.9, repetition_penalty: 1.1, eos_token_id: [5, 6] },
    eosTokenIds: [2],
    padTokenId: 0,
  });
  expect(r.processors.processors.map((p) => p.constructor)).toEqual([
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
  ]);
  expect((r.processors.processors[2] as TopKLogitsWarper).topK).toBe(50);
  expect(r.stopTokenIds).toEqual([5, 6]);
  expect(r.padTokenId).toBe(0);
});

it('rejects bad options with the field named', () => {
  expect(() => resolveGenerateOptions({ maxNewTokens: 0 }, 1, none)).toThrow(
    /generate options: maxNewTokens: Too small/,
  );
  expect(() => resolveGenerateOptions({ maxNewTokens: 1, seed: [1, 2] }, 3, none)).toThrow(
    new GenerationOptionsError('generate options: seed has 2 values for 3 prompts'),
  );
});

it('reads generation_config.json and names the file on bad content', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exp-gencfg-'));
  try {
    expect(loadGenerationConfig(dir)).toBeNull();
    writeFileSync(
      path.join(dir, 'generation_config.json'),
      '{"eos_token_id": [1, 2], "do_sample": true}',
    );
    expect(loadGenerationConfig(dir)).toMatchObject({ eos_token_id: [1, 2], do_sample: true });
    writeFileSync(path.join(dir, 'generation_config.json'), '{"top_p": 3}');
    expect(() => loadGenerationConfig(dir)).toThrow(/generation_config\.json: top_p: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
