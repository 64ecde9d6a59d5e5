// The consumer-project test: @exp/eval as another project gets it, packed, installed outside the
// workspace, type-checked and run (tools/consumer-project.ts says how and why).
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import {
  installConsumer,
  packageManifest,
  run,
  skipConsumer,
  typeErrors,
  workspaceClosure,
} from '../../../../tools/consumer-project.js';

/** The consumer: strict ESM TypeScript using the public API only. */
const CONSUMER_TS = `import { getExtractor, runEvaluation } from '@exp/eval';
import type { Extractor, ResultRow, SampleRecord } from '@exp/eval';

const strict: Extractor = getExtractor('strict');
const answer: string | null = strict.extract('She sells 16 - 3 - 4 = 9 eggs a day.\\n#### 42');
const row: Pick<ResultRow, 'model' | 'dataset' | 'accuracy'> = {
  model: 'llama',
  dataset: 'clean',
  accuracy: 0.5,
};
const id: SampleRecord['id'] = 'gsm8k-test-0';
console.log(
  JSON.stringify({
    runEvaluation: typeof runEvaluation,
    answer,
    correct: strict.isCorrect(answer, '42'),
    row,
    id,
  }),
);
`;

describe('consumer project', () => {
  (skipConsumer ? test.skip : test)(
    'installs the packed tarballs outside the workspace, type-checks and runs',
    () => {
      const names = workspaceClosure('@exp/eval');
      expect(names).toEqual(['@exp/data', '@exp/eval', '@exp/models']);
      const { dir: project, tarballs } = installConsumer('@exp/eval', names, CONSUMER_TS);
      for (const t of tarballs.values()) expect(existsSync(t.slice('file:'.length))).toBe(true);

      const store = readdirSync(path.join(project, 'node_modules', '.pnpm'));
      expect(store.filter((e) => e.startsWith('@exp+')).sort()).toEqual(
        names.map((n) => `${n.replace('/', '+')}@file+tarballs+${path.basename(tarballs.get(n)!)}`),
      );
      const installed = path.join(project, 'node_modules', '@exp', 'eval');
      const shipped = packageManifest(installed);
      expect(shipped.private).toBeUndefined();
      expect(shipped.license).toBe('MIT');
      expect(
        Object.values(shipped.dependencies ?? {}).filter((s) => s.startsWith('workspace:')),
      ).toEqual([]);
      expect(readFileSync(path.join(installed, 'LICENSE'), 'utf8')).toContain(
        'Copyright (c) 2026 exp contributors',
      );

      expect(typeErrors(project)).toEqual([]);
      const out = run(process.execPath, [path.join('out', 'consumer.js')], project);
      expect(JSON.parse(out)).toEqual({
        runEvaluation: 'function',
        answer: '42',
        correct: true,
        row: { model: 'llama', dataset: 'clean', accuracy: 0.5 },
        id: 'gsm8k-test-0',
      });
      // Kept when the test fails, for a look at what was installed.
      rmSync(project, { recursive: true, force: true });
    },
    120_000,
  );
});
