import { existsSync } from 'node:fs';
import path from 'node:path';
import { gsm8kDir } from '@exp/data';
import { cudaInstallCommand, installCudaProvider } from '@exp/models';
import type { CommandFactory } from '../cli.js';
import type { Io } from '../io.js';

/**
 * The CUDA EP libraries are not in the npm package: onnxruntime-node's install script fetches them
 * (from NuGet). pnpm does not run that script here (allowBuilds), so this runs it on request.
 */
function installCuda(io: Io): void {
  io.out(`setup: running ${cudaInstallCommand()}`);
  const status = installCudaProvider();
  if (status !== 0) {
    throw new Error(
      `onnxruntime-node's CUDA install script failed (exit ${status}); it needs network access to NuGet and a CUDA 12 driver`,
    );
  }
  io.out('setup: CUDA execution provider installed; check with `pnpm exp doctor`');
}

export async function runSetup(opts: { cuda: boolean }, io: Io): Promise<void> {
  if (opts.cuda) installCuda(io);
  const dir = gsm8kDir();
  const ok = existsSync(path.join(dir, 'test.jsonl')) && existsSync(path.join(dir, 'train.jsonl'));
  io.out(
    ok
      ? `setup: GSM8K found in ${dir}`
      : `setup: GSM8K not found in ${dir}; run \`pnpm exp data pull\` (or set EXP_GSM8K_DIR for offline use)`,
  );
}

export const setupCommand: CommandFactory = (io) => (y) =>
  y.command(
    'setup',
    'Prepare the environment (with --cuda: install the onnxruntime CUDA execution provider)',
    (c) =>
      c.option('cuda', {
        type: 'boolean',
        default: false,
        describe: "Run onnxruntime-node's CUDA install script",
      }),
    async (argv) => runSetup({ cuda: Boolean(argv.cuda) }, io),
  );
