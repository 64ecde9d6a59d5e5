// Parts "run" and "quick": the wall time of the built CLI's quick test with both tiny models, run
// in a child process against a fresh results/data folder, the models prepared beforehand (not
// timed). "run" is zero-shot with the likelihood steps; "quick" is everything on: SFT, post-SFT
// evaluation, likelihood, knockout with its per-layer curve and generation, attention, report.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveModel } from '@exp/models';
import { startCpuProbe } from '@exp/bench-kit/machine';
import { REPO_ROOT, benchCacheDir, gsm8kDir, type Log } from '@exp/bench-kit/paths';

export const RUN_MODELS = ['tiny-llama', 'tiny-diffllama'] as const;
export const RUN_ARGS = [
  'run',
  '--quick-test',
  '--models',
  RUN_MODELS.join(','),
  '--skip-sft',
  '--skip-attention',
];
export const RUN_TARGET_S = 60;
/**
 * The quick test as `exp run --quick-test` runs it (SFT, likelihood and knockout on), and with
 * every opt-in step too (issue 18's "everything on": --knockout-generate, --knockout-layers).
 */
const QUICK_BASE = ['run', '--quick-test', '--models', RUN_MODELS.join(',')];
export const QUICK_VARIANTS: { label: string; args: string[] }[] = [
  { label: 'defaults', args: QUICK_BASE },
  { label: 'everything on', args: [...QUICK_BASE, '--knockout-generate', '--knockout-layers'] },
];
export const QUICK_TARGET_S = 120;

export interface RunMeasurement {
  wallS: number;
  /** Sum of new_tokens over every sample line the run wrote. */
  tokens: number;
  samples: number;
  /** From the run's manifest: noisy-data generation and the zero-shot step. */
  dataS: number | null;
  zeroShotS: number | null;
  /** Every step's seconds as the manifest's timings have them (data, zero_shot, sft, ...). */
  steps: [string, number][];
  busyPct: number | null;
}

function runChild(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; tail: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer) => (tail = (tail + b.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, tail }));
  });
}

/** Sample lines and their new_tokens under <runDir>/samples/<model>/<dataset>.jsonl. */
function countTokens(runDir: string): { tokens: number; samples: number } {
  let tokens = 0;
  let samples = 0;
  const root = path.join(runDir, 'samples');
  for (const model of readdirSync(root)) {
    for (const file of readdirSync(path.join(root, model))) {
      for (const line of readFileSync(path.join(root, model, file), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        tokens += (JSON.parse(line) as { new_tokens: number }).new_tokens;
        samples++;
      }
    }
  }
  return { tokens, samples };
}

export async function benchRun(
  log: Log,
  args: readonly string[] = RUN_ARGS,
): Promise<RunMeasurement> {
  const cli = path.join(REPO_ROOT, 'apps/cli/dist/main.js');
  if (!existsSync(cli)) throw new Error(`${cli} not found: run \`pnpm build\` first`);
  const modelsDir = path.join(benchCacheDir(), 'cli-models');
  for (const name of RUN_MODELS) {
    // with the knockout inputs the likelihood steps ask for, so no step exports
    const r = await resolveModel(name, { modelsDir, offline: true, knockout: true });
    if (r.exported) log(`  run: prepared ${name} in ${r.dir}`);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-bench-run-'));
  const env = {
    ...process.env,
    EXP_RESULTS_DIR: path.join(tmp, 'results'),
    EXP_DATA_DIR: path.join(tmp, 'data'),
    EXP_GSM8K_DIR: gsm8kDir(),
    EXP_MODELS_DIR: modelsDir,
  };
  log(`  run: exp ${args.join(' ')} (results in ${tmp})`);
  const probe = startCpuProbe();
  const t0 = performance.now();
  const { code, tail } = await runChild([cli, ...args], env);
  const wallS = (performance.now() - t0) / 1000;
  const busyPct = probe();
  if (code !== 0) throw new Error(`exp run exited with ${code} (kept ${tmp}):\n${tail}`);
  const [runId] = readdirSync(env.EXP_RESULTS_DIR);
  const runDir = path.join(env.EXP_RESULTS_DIR, runId!);
  const manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as {
    timings?: Record<string, number>;
  };
  const seconds = (ms: number | undefined) => (ms === undefined ? null : ms / 1000);
  const m: RunMeasurement = {
    wallS,
    ...countTokens(runDir),
    dataS: seconds(manifest.timings?.data_ms),
    zeroShotS: seconds(manifest.timings?.zero_shot_ms),
    steps: Object.entries(manifest.timings ?? {}).map(([k, ms]) => [
      k.replace(/_ms$/, ''),
      ms / 1000,
    ]),
    busyPct,
  };
  rmSync(tmp, { recursive: true, force: true });
  log(`  run: ${wallS.toFixed(1)} s, ${m.tokens} tokens`);
  return m;
}
