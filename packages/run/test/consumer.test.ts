// The README's example as another project runs it: @exp/run installed from its packed tarball
// (and those of the workspace packages it depends on) outside the workspace, the example
// type-checked against the shipped types and run on the tiny presets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import {
  childEnv,
  installConsumer,
  run,
  skipConsumer,
  typeErrors,
  workspaceClosure,
} from '../../../tools/consumer-project.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GSM8K_DIR = process.env.EXP_GSM8K_DIR ?? path.resolve(HERE, '../../../../shared/data/gsm8k');

/** The first TypeScript block of the README's "Example" section. */
function readmeExample(): string {
  const readme = readFileSync(path.join(HERE, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Example'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md: no ```ts block under ## Example');
  return m[1]!;
}

describe('the README example from a packed install', () => {
  (skipConsumer ? test.skip : test)(
    'type-checks and runs a small experiment',
    () => {
      const names = workspaceClosure('@exp/run');
      expect(names).toEqual([
        '@exp/attention',
        '@exp/data',
        '@exp/eval',
        '@exp/models',
        '@exp/noise',
        '@exp/run',
        '@exp/train',
      ]);
      // the example imports @exp/eval's formatPivot: a consumer depends on both
      const { dir: project } = installConsumer('@exp/run', names, readmeExample(), ['@exp/eval']);
      expect(typeErrors(project)).toEqual([]);
      const work = mkdtempSync(path.join(os.tmpdir(), 'exp-run-example-'));
      const env = childEnv({
        EXP_DATA_DIR: path.join(work, 'data'),
        EXP_RESULTS_DIR: path.join(work, 'results'),
        EXP_MODELS_DIR: path.join(work, 'models'),
        EXP_GSM8K_DIR: GSM8K_DIR,
        HF_HUB_OFFLINE: '1',
      });
      const out = run(process.execPath, [path.join('out', 'consumer.js')], project, env);
      const lines = out.trim().split('\n');
      // the strict table: both models on clean and inf, then where the run is
      expect(lines[0]).toMatch(/^Pass@1 \(strict/);
      expect(out).toMatch(/tiny-llama/);
      expect(out).toMatch(/tiny-diffllama/);
      expect(lines.at(-1)).toMatch(new RegExp(`^finished: ${path.join(work, 'results')}/\\S+$`));
      rmSync(work, { recursive: true, force: true });
      rmSync(project, { recursive: true, force: true });
    },
    300_000,
  );
});
