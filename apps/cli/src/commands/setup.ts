import { existsSync } from 'node:fs';
import path from 'node:path';
import { gsm8kDir } from '@exp/data';
import { cudaInstallCommand, installCudaProvider } from '@exp/models';
import { z } from 'zod';
import type { CommandFactory } from '../cli.js';
import { parseOptions } from '../errors.js';
import { optionsFrom } from '../schema-options.js';
import type { Io } from '../io.js';

/**
 * The one line that says why the install script failed: its thrown error's message (e.g.
 * "getaddrinfo ENOTFOUND api.nuget.org"), not the Node stack it prints around it.
 */
export function installFailureReason(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim());
  const error = lines.find((l) => /^(\w*Error|Error)(\s\[\w+\])?: /.test(l));
  if (error) return error.replace(/^Error: /, '');
  return lines.find((l) => l !== '' && !/^at |^node:|^\^|^Node\.js v|^\{|^\}/.test(l));
}

/**
 * The CUDA EP libraries are not in the npm package: onnxruntime-node's install script fetches them
 * (from NuGet). pnpm does not run that script here (allowBuilds), so this runs it on request; a
 * failure (offline, proxy) is one line instead of the script's Node stack trace.
 */
function installCuda(io: Io): void {
  io.out(`setup: running ${cudaInstallCommand()}`);
  const { status, stderr, error } = installCudaProvider();
  if (error || status !== 0) {
    const reason = error?.message ?? installFailureReason(stderr) ?? 'no message';
    throw new Error(
      `setup --cuda: onnxruntime-node's CUDA install script failed (exit ${status}: ${reason}); it needs network access to NuGet (api.nuget.org, or a proxy in GLOBAL_AGENT_HTTPS_PROXY) and a CUDA 12 driver`,
    );
  }
  for (const line of stderr.split('\n')) if (line.trim()) io.err(line);
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

export const SetupOptionsSchema = z.object({
  cuda: z.boolean().default(false).describe("Run onnxruntime-node's CUDA install script"),
});

export const setupCommand: CommandFactory = (io) => (y) =>
  y.command(
    'setup',
    'Prepare the environment (with --cuda: install the onnxruntime CUDA execution provider)',
    (c) => optionsFrom(c, SetupOptionsSchema, { defaults: true }),
    async (argv) => runSetup({ cuda: parseOptions(SetupOptionsSchema, argv).cuda }, io),
  );
