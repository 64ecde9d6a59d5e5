// The run's SFT step: each model fine-tuned on GSM8K train (sft/<model>/: loss.jsonl,
// checkpoint-<step>/, final/), exported to ONNX (sft/<model>/onnx/) and evaluated again with the
// training prompt format; those rows join the results table as eval_type 'post_sft'.
// A rerun continues: a finished model is reused, an interrupted one resumes from its checkpoint.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadGsm8k } from '@exp/data';
import {
  comparisonPair,
  runEvaluation,
  withPrompt,
  type EvalModel,
  type EvaluationResult,
} from '@exp/eval';
import { exportCheckpoint, loadCausalLM, loadTokenizer, resolveModel } from '@exp/models';
import { SftError, readSftLosses, trainSft, type SftProgress } from '@exp/train';
import { UsageError } from './errors.js';
import { RUN_PATHS } from './layout.js';
import type { Progress } from './events.js';
import { formatSftDisk, knownModelShape, modelDisk } from './disk.js';
import { evalProgress, evaluationSettings, loadProblems, type RunStepArgs } from './zero-shot.js';

export const POST_SFT = 'post_sft';

/** The original project's SFT settings, recorded in the manifest. */
export const RUN_SFT_SETTINGS = {
  lr: 5e-5,
  batchSize: 2,
  gradAccum: 2,
  weightDecay: 0.01,
  maxGradNorm: 1.0,
  warmup: 0,
  format: 'sft',
  lossOn: 'completion',
  /** Optimizer steps between resumable checkpoints. */
  checkpointEvery: 50,
} as const;

export interface SftModelInfo {
  name: string;
  /** The checkpoint trained from. */
  from: string;
  final: string;
  onnx: string;
  steps: number;
  loss: { first: number | null; last: number | null };
  modelType: string;
}

export interface SftOutcome {
  result: EvaluationResult | null;
  models: Record<string, SftModelInfo>;
  aborted: boolean;
}

type Args = RunStepArgs;

/** A training bar's updates: optimizer steps, then the loss and label tokens per second. */
export function sftBarUpdates(bar: Progress): (p: SftProgress) => void {
  const t0 = Date.now();
  let tokens = 0;
  return (p) => {
    tokens += p.tokens;
    const tps = tokens / Math.max((Date.now() - t0) / 1000, 1e-3);
    bar.update(p.step, p.totalSteps, `| loss ${p.loss.toFixed(4)} | ${tps.toFixed(0)} tok/s`);
  };
}

/** Fine-tunes one model (or reuses a finished sft/<model>/final) and exports it. */
async function fineTune(name: string, args: Args): Promise<SftModelInfo | null> {
  const { plan, report } = args;
  const resolved = await resolveModel(name);
  const from = resolved.checkpointDir;
  if (!from) {
    throw new UsageError(
      `${name}: fine-tuning needs the model's HF checkpoint (config.json + safetensors), and ${resolved.dir} is an exported folder; pass a checkpoint folder, or --skip-sft`,
    );
  }
  const dir = path.join(args.runDir, RUN_PATHS.sft(resolved.name));
  const final = path.join(args.runDir, RUN_PATHS.sftFinal(resolved.name));
  const trained = !existsSync(path.join(final, 'config.json'));
  if (!trained) {
    report.out(`sft: ${resolved.name}: already fine-tuned (${final})`);
  } else {
    // the plan's estimate may not have known this model's size before its download
    const shape = knownModelShape(from);
    if (shape) {
      const { saveTotalLimit, saveDtype } = args.options;
      const disk = modelDisk(resolved.name, shape, plan, {
        ...RUN_SFT_SETTINGS,
        saveTotalLimit,
        saveDtype,
      });
      report.out(`sft: ${resolved.name}: ${formatSftDisk(disk)}`);
    }
    try {
      await report.withBar(`sft ${resolved.name}`, (bar) => {
        const update = sftBarUpdates(bar);
        return trainSft({
          ...RUN_SFT_SETTINGS,
          checkpoint: from,
          problems: loadGsm8k('train'),
          samples: plan.sft.samples,
          epochs: plan.sft.epochs,
          seed: plan.seed,
          out: dir,
          saveTotalLimit: args.options.saveTotalLimit,
          saveDtype: args.options.saveDtype,
          resume: true,
          device: args.options.device,
          threads: args.options.threads,
          signal: args.signal,
          onProgress: (progress) => {
            report.emit({ type: 'train', model: resolved.name, progress });
            update(progress);
          },
        });
      });
    } catch (err) {
      if (args.signal.aborted && err instanceof SftError) return null;
      throw err;
    }
  }
  const onnx = path.join(args.runDir, RUN_PATHS.sftOnnx(resolved.name));
  if (!existsSync(path.join(args.runDir, RUN_PATHS.sftOnnxModel(resolved.name)))) {
    // the export reads model_type from final/config.json (never from a folder name)
    await exportCheckpoint(final, onnx, { attentions: false });
  }
  // from loss.jsonl, so a rerun that reuses final/ records the same as the run that trained it
  const losses = readSftLosses(dir);
  const steps = losses.at(-1)?.step ?? 0;
  const [first, last] = [losses[0]?.loss ?? null, losses.at(-1)?.loss ?? null];
  if (trained) {
    report.out(
      `sft: ${resolved.name}: ${steps} steps, loss ${first?.toFixed(4)} -> ${last?.toFixed(4)} (${dir})`,
    );
  }
  return {
    name: resolved.name,
    from,
    final,
    onnx,
    steps,
    loss: { first, last },
    modelType: resolved.modelType,
  };
}

/** Fine-tunes every model of the plan, then evaluates the fine-tuned ones as 'post_sft'. */
export async function sftStep(args: Args): Promise<SftOutcome> {
  const { plan, options, report } = args;
  const models: Record<string, SftModelInfo> = {};
  for (const name of plan.models) {
    const info = await fineTune(name, args);
    if (!info) return { result: null, models, aborted: true };
    models[info.name] = info;
  }
  // post-SFT evaluation in the training format (the original evaluated with another prompt)
  const task = withPrompt(args.task, RUN_SFT_SETTINGS.format);
  const datasets = plan.datasets.map((n) => ({
    name: n,
    problems: loadProblems(n, args.data[n]!),
  }));
  const loaded: EvalModel[] = [];
  const progress = evalProgress(report, 'post-sft');
  try {
    for (const [name, info] of Object.entries(models)) {
      const lm = await loadCausalLM(info.onnx, {
        device: options.device,
        threads: options.threads,
      });
      const tokenizer = await loadTokenizer(info.onnx, { modelVocabSize: lm.config.vocabSize });
      loaded.push({ name, lm, tokenizer });
    }
    const result = await runEvaluation({
      models: loaded,
      datasets,
      ...evaluationSettings({ ...args, task }),
      evalType: POST_SFT,
      pair: comparisonPair(models),
      onProgress: progress.onProgress,
    });
    return { result, models, aborted: result.aborted };
  } finally {
    progress.stop();
    for (const m of loaded) await m.lm.dispose();
  }
}
