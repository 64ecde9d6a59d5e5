// SIGINT and SIGTERM at seeded random points of the long commands (noise generate, models
// export, sft, run; the built binary in a child process, progress bars forced on with
// EXP_PROGRESS=always as on a terminal): the documented exit code (130 / 143, or 0 when it
// finished first), no stack trace, the terminal restored (the cursor shown last), and no partial
// file where a finished one goes. EXP_SIGNALS_SEED picks other points.
import { describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MAIN } from './bad-input/case.js';
import { useRunEnv } from './run-helpers.js';

const env = useRunEnv('cli-signals-');
const SEED = Number(process.env.EXP_SIGNALS_SEED ?? 20261202);
const CODE = { SIGINT: 130, SIGTERM: 143 } as const;
type Sig = keyof typeof CODE;
const SHOW_CURSOR = '\x1b[?25h';
const HIDE_CURSOR = '\x1b[?25l';

/** mulberry32: the delays are reproducible from SEED. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** ms from the command's first output to the (first) signal; null when it had already exited. */
  sentAfter: number | null;
}

/**
 * Runs the CLI and sends `signals` (one, or two 30 ms apart) `delay` ms after its first output
 * (its signal handlers are in place by then; before, Node itself would die of the signal).
 */
function interrupt(args: string[], signals: Sig[], delay: number): Promise<Outcome> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: env.root,
    env: { ...env.env(), EXP_PROGRESS: 'always', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let sentAfter: number | null = null;
  let armed = false;
  const arm = (): void => {
    if (armed) return;
    armed = true;
    const t = Date.now();
    setTimeout(() => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      sentAfter = Date.now() - t;
      child.kill(signals[0]);
      if (signals[1]) setTimeout(() => child.kill(signals[1]), 30);
    }, delay);
  };
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
    arm();
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    arm();
  });
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, sentAfter })),
  );
}

/** Text without the escape sequences of a bar (for failure messages). */
const plain = (s: string): string =>
  s
    .split('\x1b')
    .map((p, i) => (i === 0 ? p : p.replace(/^\[[0-9;?]*[A-Za-z]|^[78]/, '')))
    .join('');

/** What every interrupted command must show; returns whether it stopped before finishing. */
function expectCleanStop(r: Outcome, last: Sig): boolean {
  // the stderr is part of the compared value so that a failure shows it
  const seen = { after: r.sentAfter, stderr: plain(r.stderr) };
  expect({ ...seen, signal: r.signal }).toEqual({ ...seen, signal: null });
  const codes = r.sentAfter === null ? [0] : [0, CODE[last]];
  expect({ ...seen, ok: codes.includes(r.code!) }).toEqual({ ...seen, ok: true });
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/Error:|error:/);
  // A bar hides the cursor; whatever stopped it, the cursor is shown again, last.
  if (r.stderr.includes(HIDE_CURSOR)) expect(r.stderr.endsWith(SHOW_CURSOR)).toBe(true);
  return r.code !== 0;
}

/** No temporary file (`x.<pid>.tmp`) left beside the outputs. */
function expectNoTemp(dir: string): void {
  if (!existsSync(dir)) return;
  expect(readdirSync(dir).filter((f) => /\.tmp$|^\.tmp-/.test(f))).toEqual([]);
}

const NOISE_TYPES = ['inf', 'rcs', 'sd'];

/** Each noisy set is absent or whole: 1,319 JSON lines and a manifest naming its sha256. */
function expectNoisySets(out: string, stopped: boolean): void {
  expectNoTemp(out);
  for (const t of NOISE_TYPES) {
    const file = path.join(out, `gsm8k_${t}_test.jsonl`);
    const manifest = path.join(out, `gsm8k_${t}_test.manifest.json`);
    if (!existsSync(file)) {
      expect(stopped).toBe(true);
      expect(existsSync(manifest)).toBe(false);
      continue;
    }
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1319);
    for (const l of lines) JSON.parse(l);
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { records: number };
    expect(m.records).toBe(1319);
  }
}

describe('SIGINT / SIGTERM at random points', () => {
  const delays = () => Math.floor(random() * 2500);

  test.each(['SIGINT', 'SIGTERM'] as const)(
    'noise generate (full GSM8K test) stopped by %s',
    async (sig) => {
      const out = path.join(env.root, `noise-${sig}`);
      const r = await interrupt(['noise', 'generate', '--out', out], [sig], delays());
      const stopped = expectCleanStop(r, sig);
      expectNoisySets(out, stopped);
      if (!stopped) expect(r.stdout.trim().split('\n')).toHaveLength(3);
    },
    60_000,
  );

  test('noise generate: a second signal right after the first still exits cleanly', async () => {
    const out = path.join(env.root, 'noise-twice');
    const r = await interrupt(['noise', 'generate', '--out', out], ['SIGTERM', 'SIGINT'], delays());
    expectNoisySets(out, expectCleanStop(r, 'SIGTERM'));
  }, 60_000);

  test.each(['SIGINT', 'SIGTERM'] as const)(
    'models export stopped by %s',
    async (sig) => {
      const ckpt = path.join(env.root, 'ckpt');
      if (!existsSync(path.join(ckpt, 'model.safetensors'))) {
        const init = spawnSync(
          process.execPath,
          [MAIN, 'models', 'init', '--preset', 'tiny-llama', '--out', ckpt],
          { env: env.env(), encoding: 'utf8' },
        );
        expect(init.status).toBe(0);
      }
      const out = path.join(env.root, `export-${sig}`);
      const r = await interrupt(
        ['models', 'export', '--checkpoint', ckpt, '--out', out],
        [sig],
        Math.floor(random() * 1500),
      );
      const stopped = expectCleanStop(r, sig);
      if (existsSync(out)) {
        // the finished folder, never a half-written one
        expect(readdirSync(out)).toEqual(expect.arrayContaining(['model.onnx', 'exp-model.json']));
        JSON.parse(readFileSync(path.join(out, 'exp-model.json'), 'utf8'));
      } else expect(stopped).toBe(true);
    },
    60_000,
  );

  test.each(['SIGINT', 'SIGTERM'] as const)(
    'sft stopped by %s: whole checkpoints only, a resume hint, --resume finishes',
    async (sig) => {
      const out = path.join(env.root, `sft-${sig}`);
      const args = [
        ...['sft', '--model', 'tiny-llama', '--samples', '16', '--epochs', '1'],
        ...['--grad-accum', '1', '--checkpoint-every', '2', '--out', out],
      ];
      const r = await interrupt(args, [sig], Math.floor(random() * 6000));
      const stopped = expectCleanStop(r, sig);
      expectNoTemp(out);
      const checkpoints = existsSync(out)
        ? readdirSync(out).filter((f) => f.startsWith('checkpoint-'))
        : [];
      for (const c of checkpoints) {
        expect(readdirSync(path.join(out, c))).toEqual(
          expect.arrayContaining(['config.json', 'model.safetensors', 'trainer_state.json']),
        );
      }
      if (!stopped) return expect(existsSync(path.join(out, 'final'))).toBe(true);
      const last = checkpoints
        .map((c) => Number(c.slice('checkpoint-'.length)))
        .sort((a, b) => b - a)[0];
      expect(r.stdout).toContain(
        last === undefined
          ? 'interrupted before the first checkpoint'
          : `interrupted: continue from checkpoint-${last} with \`pnpm exp sft ... --out ${out} --resume\``,
      );
      // the manifest, once training had begun, says where it stopped
      const manifestFile = path.join(out, 'manifest.json');
      const manifest = () =>
        JSON.parse(readFileSync(manifestFile, 'utf8')) as {
          status: string;
          resumeFrom?: string | null;
          resumed_at: string[];
        };
      const hadManifest = existsSync(manifestFile);
      if (hadManifest) {
        expect(manifest()).toMatchObject({
          status: 'interrupted',
          resumeFrom: last === undefined ? null : path.join(out, `checkpoint-${last}`),
        });
      }
      const resumed = spawnSync(process.execPath, [MAIN, ...args, '--resume'], {
        cwd: env.root,
        env: env.env(),
        encoding: 'utf8',
      });
      expect(resumed.stderr).toBe('');
      expect(resumed.status).toBe(0);
      expect(resumed.stdout).toMatch(/^sft: 8 steps, loss /);
      expect(existsSync(path.join(out, 'final', 'model.safetensors'))).toBe(true);
      expect(manifest().status).toBe('finished');
      expect(manifest().resumed_at).toHaveLength(hadManifest ? 1 : 0);
    },
    240_000,
  );

  const runArgs = (id: string) => [
    ...['run', '--models', 'tiny-llama', '--datasets', 'clean', '--max-samples', '6'],
    ...['--skip-sft', '--skip-attention', '--skip-report', '--task', env.task, '--run-id', id],
  ];

  /** The run folder holds only whole files: a JSON manifest, a CSV with its header, JSON lines. */
  function expectRunFolder(id: string, stopped: boolean): void {
    const dir = path.join(env.results, id);
    if (!existsSync(dir)) return expect(stopped).toBe(true);
    expectNoTemp(dir);
    const manifest = path.join(dir, 'manifest.json');
    if (existsSync(manifest)) {
      const m = JSON.parse(readFileSync(manifest, 'utf8')) as { status: string };
      expect(['running', 'interrupted', 'finished']).toContain(m.status);
      if (!stopped) expect(m.status).toBe('finished');
    } else expect(stopped).toBe(true);
    const csv = path.join(dir, 'experiment_results.csv');
    if (existsSync(csv)) expect(readFileSync(csv, 'utf8')).toMatch(/^model,dataset,accuracy,/);
    const samples = path.join(dir, 'samples', 'tiny-llama', 'clean.jsonl');
    if (existsSync(samples)) {
      const text = readFileSync(samples, 'utf8');
      expect(text === '' || text.endsWith('\n')).toBe(true);
      for (const l of text.split('\n').filter(Boolean)) JSON.parse(l);
    }
  }

  test.each([
    ['SIGINT', ['SIGINT']],
    ['SIGTERM', ['SIGTERM']],
    ['SIGTERM then SIGINT (the second exits at once)', ['SIGTERM', 'SIGINT']],
  ] as const)(
    'run stopped by %s',
    async (name, sigs) => {
      const id = `run-${name.split(' ')[0]}-${sigs.length}`;
      const r = await interrupt(runArgs(id), [...sigs], Math.floor(random() * 4000));
      const last = sigs[sigs.length - 1]!;
      // One signal: a clean stop during evaluation (143 / 130), or an exit at once elsewhere.
      // Two: the second one's code, or the first's when the clean stop won the race.
      const code = r.code;
      if (sigs.length === 2 && code === CODE[sigs[0]]) {
        expect(r.signal).toBeNull();
        expect(r.stderr.endsWith(SHOW_CURSOR) || !r.stderr.includes(HIDE_CURSOR)).toBe(true);
      } else expectCleanStop(r, last);
      expectRunFolder(id, code !== 0);
      if (code === CODE[sigs[0]] && /interrupted/.test(r.stdout)) {
        expect(r.stdout).toContain(`interrupted: continue with \`pnpm exp run --resume ${id}\``);
      }
    },
    90_000,
  );
});
