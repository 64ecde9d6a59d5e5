import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkGsm8kCopy, dataDir, gsm8kDir, type Gsm8kSplit } from '@exp/data';
import { backendsReport, cudaLibrariesInstalled } from '@exp/models';
import { z } from 'zod';
import type { CommandFactory } from '../cli.js';
import { parseOptions } from '../errors.js';
import { optionsFrom } from '../schema-options.js';
import type { Io } from '../io.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** A failed optional check is reported but does not fail `doctor`. */
  optional?: boolean;
}

/** The maintained LTS lines: Node 20 reached its end of life in April 2026 (vega-lite needs 22). */
export const MIN_NODE_MAJOR = 22;

export function nodeCheck(version: string = process.versions.node): Check {
  const major = Number(version.split('.')[0]);
  const ok = major >= MIN_NODE_MAJOR;
  const need = ` (need ${MIN_NODE_MAJOR} or later: the LTS lines 22 and 24; npm install node@24 ships a binary)`;
  return { name: 'node', ok, detail: `v${version}${ok ? '' : need}` };
}

/** pnpm versions this workspace installs with: 12.x from the lockfile's 12.4.2 on. */
export const PNPM_SUPPORTED = '>=12.4.2 <13';

/** Whether a pnpm version is in PNPM_SUPPORTED (prereleases such as 12.5.0-rc.1 count). */
export function pnpmSupported(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor, patch] = m.slice(1).map(Number);
  return major === 12 && (minor > 4 || (minor === 4 && patch >= 2));
}

function pnpmCheck(): Check {
  let v: string;
  try {
    v = execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    const why =
      err.code === 'ENOENT'
        ? 'not found'
        : `\`pnpm --version\` failed (${(err.stderr ?? err.message).trim().split('\n')[0]})`;
    return {
      name: 'pnpm',
      ok: false,
      detail: `${why}; need pnpm ${PNPM_SUPPORTED} (npm install -g pnpm@12.4.2)`,
    };
  }
  const ok = pnpmSupported(v);
  return {
    name: 'pnpm',
    ok,
    detail: ok
      ? `${v} (supported ${PNPM_SUPPORTED}; the lockfile was made with 12.4.2)`
      : `${v} (need ${PNPM_SUPPORTED}: npm install -g pnpm@12.4.2)`,
  };
}

/** Whether the GSM8K files in use are the official bytes (`exp data import` takes only those). */
function gsm8kHashCheck(dir: string, splits: readonly Gsm8kSplit[]): Check {
  const parts = splits.map((split) => {
    const c = checkGsm8kCopy(split, dir);
    return c.official
      ? { ok: true, text: `${split}.jsonl sha256 matches the official` }
      : {
          ok: false,
          text: `${split}.jsonl sha256 differs (${c.sha256}, official ${c.officialSha256})`,
        };
  });
  return {
    name: 'gsm8k sha256',
    ok: parts.every((p) => p.ok),
    optional: true,
    detail: `GSM8K copy at ${dir}: ${parts.map((p) => p.text).join('; ')}`,
  };
}

function dataChecks(): Check[] {
  const dir = gsm8kDir();
  const splits = ['train', 'test'].map((s) => path.join(dir, `${s}.jsonl`));
  const checks: Check[] = [
    {
      name: 'gsm8k',
      ok: splits.every((f) => existsSync(f)),
      detail: splits.every((f) => existsSync(f))
        ? dir
        : `missing in ${dir} (pnpm exp data pull, or set EXP_GSM8K_DIR)`,
    },
  ];
  // test first: it is what every evaluation reads
  const present = (['test', 'train'] as const satisfies readonly Gsm8kSplit[]).filter((s) =>
    existsSync(path.join(dir, `${s}.jsonl`)),
  );
  if (present.length) checks.push(gsm8kHashCheck(dir, present));
  const noisy = ['inf', 'rcs', 'sd'].map((t) => path.join(dataDir(), `gsm8k_${t}_test.jsonl`));
  const made = noisy.filter((f) => existsSync(f));
  checks.push({
    name: 'noisy sets',
    ok: made.length === noisy.length,
    optional: true,
    detail: `${made.length}/3 in ${dataDir()}${made.length < 3 ? ' (pnpm exp noise generate)' : ''}`,
  });
  return checks;
}

/** CPU is bundled; CUDA needs its EP libraries (exp setup --cuda) and, unless --quick, must load. */
async function backendChecks(quick: boolean): Promise<Check[]> {
  if (quick) {
    const libs = cudaLibrariesInstalled();
    return [
      { name: 'onnxruntime cpu', ok: true, detail: 'bundled' },
      {
        name: 'onnxruntime cuda',
        ok: libs,
        optional: true,
        detail: libs
          ? 'EP libraries installed (not loaded: --quick)'
          : 'EP libraries not installed; install with `pnpm exp setup --cuda`',
      },
    ];
  }
  const r = await backendsReport();
  return [
    {
      name: 'onnxruntime cpu',
      ok: r.cpu.available,
      detail: `onnxruntime-node ${r.onnxruntimeNode}, ${r.cpu.cores} cores`,
    },
    {
      name: 'onnxruntime cuda',
      ok: r.cuda.usable,
      optional: true,
      detail: r.cuda.usable
        ? 'CUDA EP loads'
        : `${r.cuda.error ?? 'unavailable'}; install with \`pnpm exp setup --cuda\``,
    },
  ];
}

export async function runDoctor(opts: { quick: boolean }, io: Io): Promise<boolean> {
  const checks: Check[] = [nodeCheck(), pnpmCheck()];
  checks.push(...(await backendChecks(opts.quick)));
  checks.push(...dataChecks());
  for (const c of checks)
    io.out(`${c.ok ? 'ok  ' : c.optional ? 'warn' : 'FAIL'}  ${c.name.padEnd(18)} ${c.detail}`);
  return checks.every((c) => c.ok || c.optional);
}

export const DoctorOptionsSchema = z.object({
  quick: z.boolean().default(false).describe('Skip loading a model on each backend'),
});

export const doctorCommand: CommandFactory = (io) => (y) =>
  y.command(
    'doctor',
    'Check Node, pnpm, onnxruntime backends (CPU, CUDA) and data',
    (c) => optionsFrom(c, DoctorOptionsSchema, { defaults: true }),
    async (argv) => {
      if (!(await runDoctor({ quick: parseOptions(DoctorOptionsSchema, argv).quick }, io))) {
        throw new Error('doctor found problems (see FAIL lines above)');
      }
    },
  );
