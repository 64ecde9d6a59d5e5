import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli.js';
import type { Io } from '../src/io.js';

export const SHARED_DIR =
  process.env.EXP_SHARED_DIR ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared');
export const GSM8K_DIR = path.join(SHARED_DIR, 'data/gsm8k');

/** Runs the CLI in-process and captures what it prints. */
export async function exp(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), interactive: false };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
