// The run's attention step: for every noisy dataset of the run (generated noise cells and imported
// sets with spans), the first N problems are paired with their clean question, prompted the way
// evaluation prompts them, and compareAttentionPatterns measures where each model looks; the
// analysis goes to attention_analysis.json, per-sample maps to attention_samples/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  compareAttentionPatterns,
  writeAttentionAnalysis,
  type AttentionAnalysis,
  type AttentionItem,
  type AttentionModel,
  type SampleMap,
} from '@exp/attention';
import { loadGsm8k, readJsonl, writeFileAtomic } from '@exp/data';
import { readSampleLog, renderPrompts, type Task } from '@exp/eval';
import { NoisyProblemSchema, type NoisyProblem } from '@exp/noise';
import type { Reporter } from './events.js';
import { RUN_PATHS } from './layout.js';
import type { DataFile } from './data.js';
import type { RunOptions, RunPlan } from './plan.js';
import { loadModels, needsTrain } from './zero-shot.js';

/** The noisy records of a dataset file, or null when its records carry no noise spans. */
export function noisyRecordsOf(file: string): NoisyProblem[] | null {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
  let probe: unknown;
  try {
    probe = JSON.parse(first);
  } catch {
    return null;
  }
  if (typeof probe !== 'object' || probe === null || !('noise' in probe)) return null;
  return readJsonl(file, NoisyProblemSchema);
}

/** An attention item: the problem's prompt and where the question sits in it. */
function item(
  prompt: string,
  noisy: NoisyProblem,
  clean: boolean,
  correct: boolean | undefined,
): AttentionItem {
  const question = clean ? noisy.original_question : noisy.question;
  const questionStart = prompt.indexOf(question);
  if (questionStart < 0) {
    throw new Error(
      `attention: the prompt template does not contain the question verbatim (problem ${noisy.id}); noise spans cannot be placed`,
    );
  }
  return {
    id: noisy.id,
    prompt,
    questionStart,
    question,
    originalQuestion: noisy.original_question,
    noise: clean ? [] : noisy.noise.map((s) => ({ start: s.start, end: s.end })),
    ...(correct === undefined ? {} : { correct }),
  };
}

/** Correctness per id from the run's sample log of (model, dataset), when it exists. */
function correctness(runDir: string, model: string, dataset: string): Map<string, boolean> {
  const file = path.join(runDir, RUN_PATHS.sampleLog(model, dataset));
  if (!existsSync(file)) return new Map();
  return new Map(readSampleLog(file).map((r) => [r.id, r.correct]));
}

export interface AttentionOutcome {
  analysis: AttentionAnalysis;
  files: string[];
  skipped: string[];
}

export async function attentionStep(args: {
  plan: RunPlan;
  options: RunOptions;
  task: Task;
  data: Record<string, DataFile>;
  runDir: string;
  report: Reporter;
}): Promise<AttentionOutcome> {
  const { plan, task, report, runDir } = args;
  const fewshot = needsTrain(task) ? loadGsm8k('train') : undefined;
  const ctx = { fewshot, seed: plan.seed };
  // Prompts as evaluation renders them: the whole set in order (the lm-eval sampler's shots
  // depend on the position), the clean question or the noisy one.
  const sets: {
    name: string;
    records: NoisyProblem[];
    prompts: Record<'clean' | 'noisy', string[]>;
  }[] = [];
  const skipped: string[] = [];
  for (const name of plan.datasets) {
    const records = name === 'clean' ? null : noisyRecordsOf(args.data[name]!.path);
    if (!records) {
      if (name !== 'clean') skipped.push(name);
      continue;
    }
    // Records whose change is not a pure insertion have no spans to measure.
    const render = (clean: boolean) =>
      renderPrompts(
        task,
        records.map((r) => (clean ? { ...r, question: r.original_question } : r)),
        ctx,
      );
    const at = records
      .map((r, i) => i)
      .filter((i) => records[i]!.noise_kind === 'insertion' && records[i]!.noise.length > 0)
      .slice(0, plan.attentionSamples);
    const clean = render(true);
    const noisy = render(false);
    sets.push({
      name,
      records: at.map((i) => records[i]!),
      prompts: { clean: at.map((i) => clean[i]!), noisy: at.map((i) => noisy[i]!) },
    });
  }
  if (sets.length === 0) {
    report.out('attention: no noisy dataset with noise spans in this run; nothing to measure');
    return { analysis: {}, files: [], skipped };
  }
  // Attention runs one forward per prompt (query 'last'): no external-kv decode graph, which would
  // cost a second copy of the weights and its build time per model.
  // Value norms give the value-weighted shares beside the raw ones (@exp/attention README).
  const { models, info } = await loadModels(plan, args.options, report, {
    decoder: 'present',
    valueNorms: true,
  });
  const files: string[] = [];
  const bar = report.bar('attention');
  try {
    // One call per model: metric 10 links attention to that model's own answers.
    const analysis: AttentionAnalysis = {};
    const total = models.length * sets.reduce((n, st) => n + st.records.length, 0);
    let before = 0;
    for (const m of models) {
      const model: AttentionModel = { name: m.name, lm: m.lm, tokenizer: m.tokenizer };
      const pairs = sets.map((st) => {
        const correct = correctness(runDir, m.name, st.name);
        return {
          name: st.name,
          clean: st.records.map((r, i) => item(st.prompts.clean[i]!, r, true, undefined)),
          noisy: st.records.map((r, i) => item(st.prompts.noisy[i]!, r, false, correct.get(r.id))),
        };
      });
      const one = await compareAttentionPatterns({
        models: [model],
        sets: pairs,
        samples: plan.attentionSamples,
        seed: plan.seed,
        onProgress: (done: number) => bar.update(before + done, total),
        onSampleMap: (map: SampleMap) => {
          const file = path.join(runDir, RUN_PATHS.attentionSample(map));
          writeFileAtomic(file, JSON.stringify(map) + '\n');
          files.push(file);
        },
      });
      before += sets.reduce((n, st) => n + st.records.length, 0);
      for (const [set, byModel] of Object.entries(one)) {
        analysis[set] = { ...(analysis[set] ?? {}), ...byModel };
      }
    }
    bar.stop();
    const out = path.join(runDir, RUN_PATHS.attentionAnalysis);
    writeAttentionAnalysis(out, analysis);
    for (const s of sets) {
      for (const name of Object.keys(info)) {
        const m = analysis[s.name]?.[name];
        if (!m) continue;
        report.out(
          `attention: ${s.name} ${name}: NI ${m.noisy.ni_mean.toFixed(4)} (clean ${m.clean.ni_mean.toFixed(4)}), KMI ${m.noisy.kmi_mean.toFixed(4)} (clean ${m.clean.kmi_mean.toFixed(4)}) [${m.settings.form}, ${m.settings.samples} samples]`,
        );
        const vw = m.value_weighted;
        if (vw) {
          report.out(
            `attention: ${s.name} ${name}: value-weighted NI ${vw.noisy.ni_mean.toFixed(4)} (clean ${vw.clean.ni_mean.toFixed(4)}), KMI ${vw.noisy.kmi_mean.toFixed(4)} (clean ${vw.clean.kmi_mean.toFixed(4)})`,
          );
        }
      }
    }
    return { analysis, files: [out, ...files], skipped };
  } finally {
    bar.stop();
    for (const m of models) await m.lm.dispose();
  }
}
