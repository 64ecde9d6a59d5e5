// runExperiment as a library call: the events a small run reports, in order, the run folder it
// leaves, and a clean stop through its AbortSignal that a second call continues.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RunOptionsSchema, runExperiment, type RunEvent } from '../src/index.js';
import { DoseResponseTableSchema, getExtractor } from '@exp/eval';
import { EVIDENCE_LIKELIHOOD_MEASURES, EvidenceTableSchema } from '../src/evidence.js';
import { readRunManifest } from '../src/manifest.js';
import { rescoreRun } from '../src/rescore.js';
import { useRunRoot } from './run-root.js';

// the seed protocol with 8 new tokens, so that the test stays fast
const env = useRunRoot('exp-run-lib-', 8);

const options = (o: Record<string, unknown>) =>
  RunOptionsSchema.parse({
    models: 'tiny-llama',
    datasets: 'clean',
    maxSamples: 3,
    skipSft: true,
    skipAttention: true,
    task: path.join(env.root, 'task.json'),
    threads: 1,
    ...o,
  });

/** An event's gist: the step events, results and the first word of each line. */
function gist(e: RunEvent): string | null {
  if (e.type === 'step') return `${e.step} ${e.status}`;
  if (e.type === 'results') return `results ${e.step} ${e.rows.length} rows`;
  return null;
}

describe('runExperiment', () => {
  test('reports its steps, progress and results as events, and finishes the run folder', async () => {
    const events: RunEvent[] = [];
    const run = await runExperiment(options({ runId: 'lib' }), {
      onEvent: (e) => events.push(e),
    });
    expect(run).toMatchObject({ runId: 'lib', status: 'finished' });
    expect(run.dir).toBe(path.join(env.root, 'results', 'lib'));
    expect(events.map(gist).filter(Boolean)).toEqual([
      'data-gen started',
      'data-gen finished',
      'zero-shot started',
      'zero-shot finished',
      'results zero-shot 2 rows', // one model x one set x two extractors
      'sft skipped',
      // on by default; no noisy set here: the knockout has nothing to knock out
      'likelihood started',
      'likelihood finished',
      'knockout started',
      'knockout finished',
      'attention skipped',
    ]);
    const lines = events.flatMap((e) => (e.type === 'info' ? [e.text] : []));
    expect(lines[0]).toBe(
      'plan: models tiny-llama | datasets clean | eval samples 3 | sft off | attention samples off',
    );
    expect(lines).toContain('zero-shot: wrote ' + path.join(run.dir, 'experiment_results.csv'));
    // the evaluation's progress: one piece of work, counted to 3 and closed
    const progress = events.filter((e) => e.type === 'progress');
    // (a preset is generated, not downloaded: its model bar gets no update)
    expect(new Set(progress.map((e) => e.label))).toEqual(
      new Set(['tiny-llama clean', 'likelihood tiny-llama clean']),
    );
    const evalBar = progress.filter((e) => e.label === 'tiny-llama clean');
    expect(evalBar.at(-1)).toMatchObject({ done: 3, total: 3 });
    expect(events.some((e) => e.type === 'progress-end' && e.id === evalBar[0]!.id)).toBe(true);
    const manifest = readRunManifest(run.dir);
    expect(manifest.status).toBe('finished');
    expect(manifest.command).toEqual(['exp', 'run']);
    expect(Object.keys(manifest.timings as object)).toEqual([
      'data_ms',
      'zero_shot_ms',
      'likelihood_ms',
      'knockout_ms',
    ]);
    expect(lines).toContain(
      'knockout: no noisy dataset with noise spans in this run; nothing to knock out',
    );
  }, 120_000);

  test('an abort stops the evaluation cleanly; the same call continues the run', async () => {
    const ctl = new AbortController();
    // abort once the first sample of the set is logged
    const first = await runExperiment(options({ runId: 'stop', batchSize: 1 }), {
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.label === 'tiny-llama clean' && e.done >= 1) ctl.abort();
      },
    });
    expect(first.status).toBe('interrupted');
    const log = path.join(first.dir, 'samples', 'tiny-llama', 'clean.jsonl');
    const logged = readFileSync(log, 'utf8').trim().split('\n').length;
    expect(logged).toBeGreaterThanOrEqual(1);
    expect(logged).toBeLessThan(3);
    expect(readRunManifest(first.dir).status).toBe('interrupted');

    const lines: string[] = [];
    const again = await runExperiment(options({ runId: 'stop', batchSize: 1 }), {
      onEvent: (e) => e.type === 'info' && lines.push(e.text),
    });
    expect(again.status).toBe('finished');
    expect(lines).toContain(`run stop: continuing (${again.dir})`);
    expect(lines).toContain(`zero-shot: tiny-llama clean: ${logged} samples already logged`);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(3);
    const attempts = readRunManifest(again.dir).attempts!;
    expect(attempts.map((a) => a.status)).toEqual(['interrupted', 'finished']);
  }, 120_000);

  test('a pair and sweep cells: dose_response and evidence written, rescore gives the same bytes', async () => {
    const lines: string[] = [];
    const run = await runExperiment(
      options({
        runId: 'sweep',
        models: 'tiny-llama,tiny-diffllama',
        datasets: 'clean,inf-k1-late,inf-k2-late',
        maxSamples: 2,
        // the likelihood step's rows join the evidence; the knockout's do not
        skipKnockout: true,
      }),
      { onEvent: (e) => e.type === 'info' && lines.push(e.text) },
    );
    expect(lines).toContain('zero-shot: wrote ' + path.join(run.dir, 'dose_response.csv'));
    expect(lines).toContain('evidence: wrote ' + path.join(run.dir, 'evidence.csv'));
    const evidence = EvidenceTableSchema.parse(
      JSON.parse(readFileSync(path.join(run.dir, 'evidence.json'), 'utf8')),
    );
    expect(evidence.rows.map((r) => [r.dataset, r.measure, r.extractor, r.a, r.b, r.n])).toEqual([
      ['inf-k1-late', 'pass@1', 'seed', 'tiny-diffllama', 'tiny-llama', 2],
      ['inf-k2-late', 'pass@1', 'seed', 'tiny-diffllama', 'tiny-llama', 2],
      ...['inf-k1-late', 'inf-k2-late'].flatMap((set) =>
        [...EVIDENCE_LIKELIHOOD_MEASURES.keys()].map((m) => [
          set,
          m,
          null,
          'tiny-diffllama',
          'tiny-llama',
          2,
        ]),
      ),
    ]);
    const dose = DoseResponseTableSchema.parse(
      JSON.parse(readFileSync(path.join(run.dir, 'dose_response.json'), 'utf8')),
    );
    // two extractors x (two models + the pair) over inf, late
    expect(dose.rows.map((r) => `${r.extractor} ${r.model} ${r.vs} ${r.doses}`)).toEqual([
      'seed tiny-llama null 0,1,2',
      'seed tiny-diffllama null 0,1,2',
      'seed tiny-diffllama tiny-llama 0,1,2',
      'strict tiny-llama null 0,1,2',
      'strict tiny-diffllama null 0,1,2',
      'strict tiny-diffllama tiny-llama 0,1,2',
    ]);
    const re = rescoreRun(run.dir, getExtractor('seed'));
    expect(readFileSync(re.evidence!.json)).toEqual(
      readFileSync(path.join(run.dir, 'evidence.json')),
    );
    const rescored = DoseResponseTableSchema.parse(
      JSON.parse(readFileSync(re.doseResponse!.json, 'utf8')),
    );
    expect(rescored.rows).toEqual(dose.rows.filter((r) => r.extractor === 'seed'));
  }, 180_000);
});
