import { existsSync } from 'node:fs';
import path from 'node:path';
import { dataDir, gsm8kFile, hashFileSync, resultsDir, writeFileAtomic } from '@exp/data';
import { generateNoisyDatasets } from '@exp/noise';
import { parseOptions } from '../errors.js';
import type { CommandFactory } from '../cli.js';
import type { Io } from '../io.js';
import { withProgress } from '../progress.js';
import { DATASETS, MODELS, MODES, planRun, RunOptionsSchema, type RunPlan } from './run-plan.js';
import { INSTRUCTIONS } from './instructions.js';
import { runSetup } from './setup.js';

const NOISE_TYPES = ['inf', 'rcs', 'sd'] as const;

/** Data generation: GSM8K must be present; missing noisy sets are generated with the run's seed. */
async function dataGenStep(plan: RunPlan, io: Io): Promise<Record<string, string>> {
  const files: Record<string, string> = { clean: gsm8kFile('test') };
  const wanted = NOISE_TYPES.filter((t) => plan.datasets.includes(t));
  const missing = wanted.filter((t) => !existsSync(path.join(dataDir(), `gsm8k_${t}_test.jsonl`)));
  if (missing.length) {
    const result = await withProgress(io, 'noise', (bar) =>
      generateNoisyDatasets({
        types: missing,
        seed: plan.seed,
        onProgress: (done: number, total: number) => bar.update(done, total),
      }),
    );
    for (const f of result.files) io.out(`data-gen: wrote ${f.path} (${f.records} records)`);
  }
  for (const t of wanted) files[t] = path.join(dataDir(), `gsm8k_${t}_test.jsonl`);
  if (plan.datasets.includes('gsmplus-distraction')) {
    const file = path.join(dataDir(), 'gsmplus-distraction.jsonl');
    if (!existsSync(file)) {
      throw new Error(
        `${file} not found; import it with \`pnpm exp data import <gsmplus_testmini.jsonl> --preset gsmplus-distraction\``,
      );
    }
    files['gsmplus-distraction'] = file;
  }
  io.out(
    `data-gen: ${Object.keys(files).length} datasets ready (${Object.keys(files).join(', ')})`,
  );
  return files;
}

function runId(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

async function executeRun(plan: RunPlan, options: unknown, io: Io): Promise<void> {
  const id = runId();
  const dir = path.join(resultsDir(), id);
  const started = new Date().toISOString();
  const datasets = plan.steps.dataGen ? await dataGenStep(plan, io) : {};
  if (!plan.steps.dataGen) io.out('data-gen: skipped (--skip-data-gen)');
  const pending = [
    plan.steps.zeroShot && 'zero-shot: not built yet (arrives with @exp/eval); nothing evaluated',
    plan.steps.sft && 'sft: not built yet (arrives with @exp/train); no fine-tuning done',
    plan.steps.attention &&
      'attention: not built yet (arrives with @exp/attention); no maps computed',
    'report: not built yet (arrives with @exp/report)',
  ].filter(Boolean) as string[];
  for (const line of pending) io.out(line);
  const manifest = {
    run: id,
    started,
    finished: new Date().toISOString(),
    options,
    plan,
    versions: { node: process.version, exp: '0.1.0' },
    seeds: { run: plan.seed },
    data: Object.fromEntries(
      Object.entries(datasets).map(([k, f]) => [k, { path: f, sha256: hashFileSync(f) }]),
    ),
    steps_not_built: pending.map((l) => l.split(':')[0]),
  };
  writeFileAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  io.out(`manifest: ${path.join(dir, 'manifest.json')}`);
}

export const runCommand: CommandFactory = (io) => (y) =>
  y.command(
    'run',
    'Run the experiment: data generation, zero-shot evaluation, SFT, attention analysis, report',
    (c) =>
      c
        .option('quick-test', {
          type: 'boolean',
          describe: '20 eval samples, 50 SFT samples x 1 epoch, 5 attention samples',
        })
        .option('max-samples', {
          type: 'number',
          describe: 'Evaluation samples per dataset (-1 = all 1,319)',
        })
        .option('skip-data-gen', {
          type: 'boolean',
          describe: 'Use the noisy datasets already in data/',
        })
        .option('skip-zero-shot', { type: 'boolean', describe: 'Skip zero-shot evaluation' })
        .option('skip-sft', { type: 'boolean', describe: 'Skip fine-tuning' })
        .option('skip-attention', { type: 'boolean', describe: 'Skip attention analysis' })
        .option('models', {
          type: 'string',
          describe: `Models, comma-separated (${MODELS.join(',')})`,
        })
        .option('datasets', {
          type: 'string',
          describe: `Datasets, comma-separated (${DATASETS.join(',')})`,
        })
        .option('mode', {
          type: 'string',
          describe: `Preset: ${MODES.join('|')} (quick: 20 eval, no SFT, 5 attention; medium: 100 eval, SFT 200x2, 10; full: all, SFT 500x2, 20)`,
        })
        .option('enable-sft', { type: 'boolean', describe: 'Run SFT even in quick mode' })
        .option('sft-samples', {
          type: 'number',
          describe: 'Training examples for SFT (default 500)',
        })
        .option('sft-epochs', { type: 'number', describe: 'SFT epochs (default 2)' })
        .option('attention-samples', { type: 'number', describe: 'Samples for attention analysis' })
        .option('seed', { type: 'number', describe: 'Seed for every random choice (default 42)' })
        .option('setup', {
          type: 'boolean',
          describe: 'Only set up the environment (as `exp setup`)',
        })
        .option('instructions', { type: 'boolean', describe: 'Print the usage guide and exit' }),
    async (argv) => {
      const options = parseOptions(RunOptionsSchema, argv);
      if (options.instructions) {
        io.out(INSTRUCTIONS);
        return;
      }
      if (options.setup) {
        await runSetup({ cuda: false }, io);
        return;
      }
      const plan = planRun(options);
      io.out(
        `plan: models ${plan.models.join(',')} | datasets ${plan.datasets.join(',')} | eval samples ${plan.evalSamples === -1 ? 'all' : plan.evalSamples} | sft ${plan.sft.enabled ? `${plan.sft.samples}x${plan.sft.epochs}` : 'off'} | attention samples ${plan.steps.attention ? plan.attentionSamples : 'off'}`,
      );
      await executeRun(plan, options, io);
    },
  );
