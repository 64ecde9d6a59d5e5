import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gsm8kDir, dataDir } from '@exp/data';
import { backendsReport, cudaLibrariesInstalled } from '@exp/models';
import type { CommandFactory } from '../cli.js';
import type { Io } from '../io.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** A failed optional check is reported but does not fail `doctor`. */
  optional?: boolean;
}

function nodeCheck(): Check {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return { name: 'node', ok, detail: `${process.version}${ok ? '' : ' (need >= 20.19)'}` };
}

function pnpmCheck(): Check {
  try {
    const v = execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return {
      name: 'pnpm',
      ok: v === '12.4.2',
      detail: v === '12.4.2' ? v : `${v} (the lockfile was made with 12.4.2)`,
    };
  } catch {
    return { name: 'pnpm', ok: false, detail: 'not found (npm install -g pnpm@12.4.2)' };
  }
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
  const noisy = ['inf', 'rcs', 'sd'].map((t) => path.join(dataDir(), `gsm8k_${t}_test.jsonl`));
  const present = noisy.filter((f) => existsSync(f));
  checks.push({
    name: 'noisy sets',
    ok: present.length === noisy.length,
    optional: true,
    detail: `${present.length}/3 in ${dataDir()}${present.length < 3 ? ' (pnpm exp noise generate)' : ''}`,
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

export const doctorCommand: CommandFactory = (io) => (y) =>
  y.command(
    'doctor',
    'Check Node, pnpm, onnxruntime backends (CPU, CUDA) and data',
    (c) =>
      c.option('quick', {
        type: 'boolean',
        default: false,
        describe: 'Skip loading a model on each backend',
      }),
    async (argv) => {
      if (!(await runDoctor({ quick: Boolean(argv.quick) }, io))) {
        throw new Error('doctor found problems (see FAIL lines above)');
      }
    },
  );
