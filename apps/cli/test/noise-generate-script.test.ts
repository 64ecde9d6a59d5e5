// `pnpm -F @exp/noise generate` runs the package's own script (packages/noise/scripts/generate.ts,
// on @exp/noise's API), not this app: its lines, files, messages and exit codes must stay those
// of `exp noise generate`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exp, GSM8K_DIR } from './helpers.js';

const NOISE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../packages/noise',
);
const TSX = path.join(
  path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
  'dist/cli.mjs',
);

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'exp-noise-script-'));
  const four = readFileSync(path.join(GSM8K_DIR, 'test.jsonl'), 'utf8').split('\n').slice(0, 4);
  writeFileSync(path.join(root, 'four.jsonl'), four.join('\n') + '\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The package script, run from `root` as pnpm runs it (INIT_CWD: where the user typed it). */
function script(...args: string[]) {
  const r = spawnSync(process.execPath, [TSX, 'scripts/generate.ts', ...args], {
    cwd: NOISE_DIR,
    env: { ...process.env, INIT_CWD: root, EXP_GSM8K_DIR: GSM8K_DIR },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout.trimEnd(), err: r.stderr.trimEnd() };
}

test("the package script is the noise package's own", () => {
  const pkg = JSON.parse(readFileSync(path.join(NOISE_DIR, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(pkg.scripts.generate).toBe('tsx scripts/generate.ts');
});

test('same lines and same bytes as exp noise generate for the same options and seed', async () => {
  const opts = ['--seed', '7', '--types', 'inf,sd,mix', '--sentences', '2', '--position', 'late'];
  const cli = await exp(
    'noise',
    'generate',
    '--input',
    path.join(root, 'four.jsonl'),
    '--out',
    path.join(root, 'cli'),
    ...opts,
  );
  const own = script('--input', 'four.jsonl', '--out', 'own', ...opts);
  expect(cli.code).toBe(0);
  expect(own).toEqual({ code: 0, out: cli.out.replaceAll('/cli/', '/own/'), err: '' });
  const files = readdirSync(path.join(root, 'cli')).sort();
  expect(files).toHaveLength(6); // three sets and their manifests
  expect(readdirSync(path.join(root, 'own')).sort()).toEqual(files);
  for (const f of files) {
    expect(readFileSync(path.join(root, 'own', f), 'utf8')).toBe(
      readFileSync(path.join(root, 'cli', f), 'utf8').replaceAll('/cli/', '/own/'),
    );
  }
});

test.each([
  [['--seed', 'x']],
  [['--slots', 'bad']],
  [['--types', 'zz']],
  [['--frob', '1']],
  [['--input', 'nothere.jsonl']],
])('%j: the same message and exit code', async (args) => {
  const typed = args.map((a) => (a === 'nothere.jsonl' ? path.join(root, a) : a));
  const cli = await exp('noise', 'generate', ...typed);
  expect(cli.code).not.toBe(0);
  expect(script(...args)).toEqual({ code: cli.code, out: '', err: cli.err });
});
