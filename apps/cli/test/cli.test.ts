import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exp, GSM8K_DIR } from './helpers.js';

describe('exp CLI', () => {
  test('--help lists every command', async () => {
    const r = await exp('--help');
    expect(r.code).toBe(0);
    for (const c of ['data', 'noise', 'models', 'run', 'doctor', 'setup'])
      expect(r.out).toContain(`exp ${c}`);
  });

  test.each([['run'], ['data', 'pull'], ['noise', 'generate'], ['doctor'], ['models', 'export']])(
    '%s --help works',
    async (...cmd) => {
      const r = await exp(...cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toContain('--help');
    },
  );

  test('run --help declares every flag of the original', async () => {
    const r = await exp('run', '--help');
    for (const flag of [
      '--quick-test',
      '--max-samples',
      '--skip-data-gen',
      '--skip-zero-shot',
      '--skip-sft',
      '--skip-attention',
      '--models',
      '--datasets',
      '--mode',
      '--enable-sft',
      '--sft-samples',
      '--sft-epochs',
      '--setup',
      '--instructions',
    ]) {
      expect(r.out).toContain(flag);
    }
  });

  test('an unknown option is rejected in one line', async () => {
    const r = await exp('run', '--bogus');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: --bogus: unknown option (see exp run --help)');
  });

  test('an unknown command is rejected', async () => {
    const r = await exp('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(
      /^error: unknown command 'frobnicate' \(commands: data, noise, models, run, eval, report, sft, doctor, setup\)$/,
    );
  });

  test('bad option values name the option and what was expected', async () => {
    let r = await exp('run', '--datasets', 'clean,no/such');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'error: --datasets: expected a name of letters, digits, ".", "_" or "-", got "no/such"',
    );
    r = await exp('run', '--mode', 'fast');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --mode: expected one of quick, medium, full, got "fast"$/);
    r = await exp('run', '--max-samples', '0');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: --max-samples: expected -1 (all) or a positive count, got 0');
    r = await exp('run', '--models', 'gpt');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^error: --models: expected a known model \(diffllama, llama, tiny-diffllama, tiny-llama\) or the path of a checkpoint or exported folder, got "gpt"$/,
    );
  });

  test('run --help says which options --resume takes alongside', async () => {
    const r = await exp('run', '--help');
    expect(r.out.replace(/\s+/g, ' ')).toContain(
      'Continue run ID with the options its manifest recorded; only --out, --threads, --batch-size, --save-total-limit, --skip-report may be given alongside',
    );
  });

  test('run --instructions prints the guide', async () => {
    const r = await exp('run', '--instructions');
    expect(r.code).toBe(0);
    expect(r.out).toContain('pnpm exp run --quick-test');
  });

  test('errors are one line unless --verbose', async () => {
    const input = path.join(mkdtempSync(path.join(tmpdir(), 'cli-')), 'missing.jsonl');
    let r = await exp('noise', 'generate', '--input', input, '--out', path.dirname(input));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: ${input}: file not found`);
    r = await exp('noise', 'generate', '--input', input, '--out', path.dirname(input), '--verbose');
    expect(r.err.split('\n').length).toBeGreaterThan(1);
  });

  test('run --quick-test --skip-zero-shot --skip-sft generates data, says what it skipped, writes a manifest', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cli-run-'));
    const env = { ...process.env };
    process.env.EXP_DATA_DIR = path.join(root, 'data');
    process.env.EXP_RESULTS_DIR = path.join(root, 'results');
    process.env.EXP_GSM8K_DIR = GSM8K_DIR;
    try {
      const r = await exp(
        'run',
        '--quick-test',
        '--datasets',
        'clean,inf',
        '--skip-zero-shot',
        '--skip-sft',
        '--skip-attention',
        '--skip-likelihood',
      );
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toContain(
        'plan: models diffllama,llama | datasets clean,inf | eval samples 20 | sft off | attention samples off',
      );
      // every step that uses a model skipped: no model disk; the hub models maybe not cached
      expect(r.out).toMatch(/^disk: 0\.00 GB at the end of the run, at most 0\.00 GB /m);
      expect(r.out).toMatch(/zero-shot: skipped \(--skip-zero-shot\)/);
      expect(r.out).toContain('sft: skipped (--skip-sft)');
      expect(r.out).toContain('likelihood: skipped (--skip-likelihood)');
      expect(r.out).toContain('knockout: skipped (--skip-likelihood)');
      expect(readdirSync(path.join(root, 'data')).sort()).toEqual([
        'gsm8k_inf_test.jsonl',
        'gsm8k_inf_test.manifest.json',
      ]);
      const [run] = readdirSync(path.join(root, 'results'));
      const manifest = JSON.parse(
        readFileSync(path.join(root, 'results', run, 'manifest.json'), 'utf8'),
      );
      expect(manifest.plan.evalSamples).toBe(20);
      expect(manifest.data.clean.sha256).toBe(
        '3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14',
      );
    } finally {
      process.env = env;
    }
  });
});
