// Options and commands: wrong types, unknown and contradictory options, unknown commands.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BadInputCase, CaseContext } from './case.js';

/** A quick offline run writing its results under c.tmp/...parts. */
const quickRunInto = (c: CaseContext, ...parts: string[]) => [
  ...['run', '--quick-test', '--models', 'tiny-llama'],
  ...['--out', path.join(c.tmp, ...parts)],
];

const COMMANDS = 'data, noise, models, run, eval, report, sft, doctor, setup';

export const CORE_CASES: readonly BadInputCase[] = [
  {
    name: 'run --quick-test --mode full (contradictory options)',
    args: () => ['run', '--quick-test', '--mode', 'full'],
    code: 2,
    stderr: /^error: --quick-test and --mode full contradict each other/,
  },
  {
    name: 'models export --dtype bf16 (a yargs choice names option, value and choices)',
    args: (c) => [
      'models',
      'export',
      '--checkpoint',
      c.tmp,
      '--out',
      path.join(c.tmp, 'o'),
      '--dtype',
      'bf16',
    ],
    code: 2,
    stderr: /^error: --dtype: expected one of fp32, fp16, got "bf16"$/,
    absent: (c) => [path.join(c.tmp, 'o')],
  },
  {
    name: 'models init --preset tiny-gpt (a yargs choice)',
    args: () => ['models', 'init', '--preset', 'tiny-gpt'],
    code: 2,
    stderr: /^error: --preset: expected one of tiny-llama, tiny-diffllama, got "tiny-gpt"$/,
  },
  {
    name: 'sft verify --precision float16 (a yargs choice)',
    args: (c) => [
      ...['sft', 'verify', '--checkpoint', `${c.golden}/tiny-llama`],
      ...['--golden', `${c.golden}/tiny-llama/golden.safetensors`, '--precision', 'float16'],
    ],
    code: 2,
    stderr: /^error: --precision: expected one of float32, float64, got "float16"$/,
  },
  {
    name: 'sft --device gpu (a zod enum)',
    args: (c) => [
      'sft',
      '--model',
      'tiny-llama',
      '--device',
      'gpu',
      '--out',
      path.join(c.tmp, 'o'),
    ],
    code: 2,
    stderr: /^error: --device: expected one of cpu, cuda, got "gpu"$/,
    absent: (c) => [path.join(c.tmp, 'o')],
  },
  {
    name: 'sft --device cuda without the CUDA provider (nothing written)',
    args: (c) => [
      ...['sft', '--model', 'tiny-llama', '--device', 'cuda', '--samples', '2', '--epochs', '1'],
      ...['--out', path.join(c.tmp, 'o')],
    ],
    code: 1,
    stderr:
      /^error: CUDA execution provider unavailable \(.*\); install it with `exp setup --cuda`/,
    absent: (c) => [path.join(c.tmp, 'o')],
  },
  {
    name: 'run --max-samples abc (not a number: the typed value, not NaN)',
    args: () => ['run', '--max-samples', 'abc'],
    code: 2,
    stderr: /^error: --max-samples: expected a number, got "abc"$/,
  },
  {
    name: 'run --seed 1.5 (not an integer)',
    args: () => ['run', '--seed', '1.5'],
    code: 2,
    stderr: /^error: --seed: expected an integer, got 1\.5$/,
  },
  {
    name: 'run --ci-method bootstrap (not an interval it offers)',
    args: () => ['run', '--ci-method', 'bootstrap'],
    code: 2,
    stderr: /^error: --ci-method: expected one of wilson, clopper-pearson, got "bootstrap"$/,
  },
  {
    name: 'run --seed 1 --seed 2 (an option given twice)',
    args: () => ['run', '--seed', '1', '--seed', '2'],
    code: 2,
    stderr: /^error: --seed: expected one value, got 2 \(1, 2\); pass it once$/,
  },
  {
    name: 'run --mode fast (a zod enum: no validator wording)',
    args: () => ['run', '--mode', 'fast'],
    code: 2,
    stderr: /^error: --mode: expected one of quick, medium, full, got "fast"$/,
  },
  {
    name: 'run --batch-size 0 (too small)',
    args: () => ['run', '--batch-size', '0'],
    code: 2,
    stderr: /^error: --batch-size: expected a positive integer, got 0$/,
  },
  {
    name: 'run --datasets clean,no/such (a list names its bad item, no index)',
    args: () => ['run', '--datasets', 'clean,no/such'],
    code: 2,
    stderr:
      /^error: --datasets: expected a name of letters, digits, "\.", "_" or "-", got "no\/such"$/,
  },
  {
    name: 'run --datasets clean,clean (a list item twice is named)',
    args: () => ['run', '--datasets', 'clean,clean'],
    code: 2,
    stderr: /^error: --datasets: "clean" is listed twice$/,
  },
  {
    name: 'run --datasets clean,clen (unknown dataset: a usage error naming the known ones)',
    args: (c) => [...quickRunInto(c, 'results'), '--datasets', 'clean,clen'],
    code: 2,
    stderr:
      /^error: --datasets: unknown dataset "clen"; did you mean clean\? \(built-in: clean, inf, rcs, sd, gsmplus-distraction, noise cells such as inf-k2-late; imported: none; `pnpm exp data import <file> --name clen` adds one\)$/,
    absent: (c) => [path.join(c.tmp, 'results')],
  },
  {
    name: 'run --datasets mien (an imported set is known and suggested)',
    setup: (c) => {
      mkdirSync(path.join(c.tmp, 'data'), { recursive: true });
      writeFileSync(path.join(c.tmp, 'data', 'mine.jsonl'), '');
      writeFileSync(path.join(c.tmp, 'data', 'gsm8k_inf_test.jsonl'), '');
    },
    args: (c) => [...quickRunInto(c, 'results'), '--datasets', 'mien'],
    code: 2,
    stderr:
      /^error: --datasets: unknown dataset "mien"; did you mean mine\? \(built-in: .*; imported: mine; `pnpm exp data import <file> --name mien` adds one\)$/,
    absent: (c) => [path.join(c.tmp, 'results')],
  },
  {
    name: 'run --datasets zzzzzz (nothing near: no suggestion)',
    args: (c) => [...quickRunInto(c, 'results'), '--datasets', 'zzzzzz'],
    code: 2,
    stderr: /^error: --datasets: unknown dataset "zzzzzz" \(built-in: clean, inf, rcs, sd, /,
  },
  {
    name: 'run --skip-data-gen --datasets inf without the noisy file (no run folder left behind)',
    args: (c) => [
      ...quickRunInto(c, 'results'),
      '--skip-data-gen',
      '--datasets',
      'inf',
      '--run-id',
      'x',
    ],
    code: 1,
    stderr:
      /^error: .*gsm8k_inf_test\.jsonl not found \(--skip-data-gen uses the noisy sets already in data\/\)/,
    absent: (c) => [path.join(c.tmp, 'results', 'x')],
  },
  {
    name: 'run --bogus (unknown option)',
    args: () => ['run', '--bogus'],
    code: 2,
    stderr: /^error: --bogus: unknown option \(see exp run --help\)$/,
  },
  {
    name: 'nosuch (unknown command)',
    args: () => ['nosuch'],
    code: 2,
    stderr: new RegExp(`^error: unknown command 'nosuch' \\(commands: ${COMMANDS}\\)$`),
  },
  {
    name: 'nosuch --help (an unknown command is refused even with --help)',
    args: () => ['nosuch', '--help'],
    code: 2,
    stderr: new RegExp(`^error: unknown command 'nosuch' \\(commands: ${COMMANDS}\\)$`),
  },
  {
    name: 'rn (unknown command, with a suggestion)',
    args: () => ['rn'],
    code: 2,
    stderr: /^error: unknown command 'rn' \(commands: .*\); did you mean run\?$/,
  },
  {
    name: 'data nosuch --help (unknown action)',
    args: () => ['data', 'nosuch', '--help'],
    code: 2,
    stderr: /^error: exp data: unknown action 'nosuch' \(actions: pull, import\)$/,
  },
  {
    name: 'data (no action)',
    args: () => ['data'],
    code: 2,
    stderr: /^error: exp data: name an action: pull, import \(see exp data --help\)$/,
  },
  {
    name: 'data import (a missing positional is named)',
    args: () => ['data', 'import'],
    code: 2,
    stderr: /^error: exp data import: missing <source> \(see exp data import --help\)$/,
  },
  {
    name: 'models export (missing required options)',
    args: () => ['models', 'export'],
    code: 2,
    stderr: /^error: exp models export: missing required options --checkpoint, --out/,
  },
  {
    name: 'no command at all',
    args: () => [],
    code: 2,
    stderr: new RegExp(`^error: name a command: ${COMMANDS} \\(see exp --help\\)$`),
  },
  {
    name: 'run --out FILE (a file where a folder is expected)',
    setup: (c) => writeFileSync(path.join(c.tmp, 'out'), 'keep'),
    args: (c) => quickRunInto(c, 'out'),
    code: 1,
    stderr: /^error: \/.*\/out: exists and is a file, expected a folder$/,
    untouched: (c) => [path.join(c.tmp, 'out')],
  },
  {
    name: 'run --out FILE/sub (a file on the way to the folder)',
    setup: (c) => {
      mkdirSync(path.join(c.tmp, 'x'));
      writeFileSync(path.join(c.tmp, 'x', 'file'), 'keep');
    },
    args: (c) => quickRunInto(c, 'x', 'file', 'sub'),
    code: 1,
    stderr: /^error: \/.*\/x\/file: exists and is a file, expected a folder$/,
    untouched: (c) => [path.join(c.tmp, 'x', 'file')],
  },
];
