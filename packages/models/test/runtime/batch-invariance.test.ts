// Batch invariance, a scientific requirement: a prompt's greedy completion is the same ids
// whether it runs alone, in a static batch, or joins a running batch when another row stops.
// Mixed prompt lengths, repetition penalty 1.1 and stop tokens make rows stop at different steps,
// so that with 3 rows for 7 prompts most prompts join mid-run. Golden checkpoints and the tiny
// presets, exported, on both generation paths; the logits are compared bit for bit too.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRng } from '@exp/data';
import { loadCausalLM, type CausalLM } from '../../src/causal-lm.js';
import type { GenerateOptions } from '../../src/generation/options.js';
import type { GenerationResult } from '../../src/generation/scheduler.js';
import { EXPORTED_CASES, exportCase } from '../helpers/exported-cases.js';
import { pickStops } from '../helpers/stop-ids.js';

const LENGTHS = [3, 17, 9, 30, 5, 12, 40];
const MAX_NEW = 16;

function promptsFor(vocab: number): number[][] {
  const rng = createRng(11);
  return LENGTHS.map((n) =>
    Array.from({ length: n }, () => 3 + Math.floor(rng.next() * (vocab - 3))),
  );
}

/**
 * Logits seen per (prompt, step): a hash of the bits (bitwise equality) and the first 512
 * values (how far apart when not equal); the 128k-wide preset rows are not kept whole.
 */
class LogitsLog {
  readonly seen = new Map<string, { hash: string; head: Float32Array }>();
  readonly hook = (index: number, step: number, logits: Float32Array) => {
    const bytes = new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength);
    const hash = createHash('sha1').update(bytes).digest('hex');
    this.seen.set(`${index}:${step}`, { hash, head: logits.slice(0, 512) });
  };

  /** Entries whose bits differ from `ref`, and the largest difference in their heads. */
  compare(ref: LogitsLog): { differing: number; maxAbs: number } {
    expect([...this.seen.keys()].sort()).toEqual([...ref.seen.keys()].sort());
    let differing = 0;
    let maxAbs = 0;
    for (const [k, a] of ref.seen) {
      const b = this.seen.get(k)!;
      if (a.hash !== b.hash) differing++;
      for (let i = 0; i < a.head.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(a.head[i]! - b.head[i]!));
      }
    }
    return { differing, maxAbs };
  }
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-invariance-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(EXPORTED_CASES)('$name', (c) => {
  const models: Partial<Record<'external-kv' | 'present', CausalLM>> = {};
  const prompts = promptsFor(c.vocab);
  let opts: GenerateOptions;
  beforeAll(async () => {
    const dir = await exportCase(c, tmp);
    for (const decoder of ['external-kv', 'present'] as const) {
      models[decoder] = await loadCausalLM(dir, { threads: 1, decoder });
    }
    const base = { maxNewTokens: MAX_NEW, repetitionPenalty: 1.1 };
    const free = [];
    for (const p of prompts) {
      free.push((await models['external-kv']!.generate([p], { ...base, stopTokenIds: [] }))[0]!);
    }
    opts = { ...base, stopTokenIds: pickStops(free.map((r) => r.tokens)) };
  });
  afterAll(async () => {
    for (const lm of Object.values(models)) await lm?.dispose();
  });

  it.each(['external-kv', 'present'] as const)(
    '%s: alone = static batch = joining a running batch, bit for bit',
    async (kind) => {
      const lm = models[kind]!;
      expect(lm.generationPath).toBe(kind);
      const aloneLog = new LogitsLog();
      const alone: GenerationResult[] = [];
      for (const [i, p] of prompts.entries()) {
        const [r] = await lm.generate([p], {
          ...opts,
          onStepLogits: (_, step, logits) => aloneLog.hook(i, step, logits),
        });
        alone.push(r!);
      }
      // rows stop at different steps, some on a stop token
      expect(new Set(alone.map((r) => r.tokens.length)).size).toBeGreaterThanOrEqual(3);
      expect(alone.filter((r) => r.stoppedBy === 'eos').length).toBeGreaterThanOrEqual(2);

      const staticLog = new LogitsLog();
      const batch = await lm.generate(prompts, { ...opts, onStepLogits: staticLog.hook });
      expect(batch).toEqual(alone);

      const streamLog = new LogitsLog();
      const streamed: GenerationResult[] = new Array(prompts.length);
      const order: number[] = [];
      for await (const { index, result } of lm.generateStream(prompts, {
        ...opts,
        batchSize: 3,
        onStepLogits: streamLog.hook,
      })) {
        streamed[index] = result;
        order.push(index);
      }
      expect(streamed).toEqual(alone);
      // delivered as rows finished, not in prompt order
      expect(order).not.toEqual([...order].sort((a, b) => a - b));

      // bitwise: each row's cache slots sit where they would alone, the shared capacity is whole
      // 32-slot chunks (a longer neighbour only adds masked slots at the end), and each joining
      // row is prefilled alone; onnxruntime's CPU kernels then compute each row the same way
      expect(staticLog.compare(aloneLog)).toEqual({ differing: 0, maxAbs: 0 });
      expect(streamLog.compare(aloneLog)).toEqual({ differing: 0, maxAbs: 0 });
    },
  );
});
