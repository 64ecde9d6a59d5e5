import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli.js';
import type { Io } from '../src/io.js';
import { MAIN } from './bad-input/case.js';

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

// Preloaded into the child: at exit it writes getrusage's ru_maxrss (KiB on Linux), the peak
// resident set of the whole process (V8 heap, array buffers, onnxruntime's native memory).
const PEAK_RSS_PRELOAD =
  'data:text/javascript,import{writeFileSync}from"node:fs";' +
  'process.on("exit",()=>writeFileSync(process.env.EXP_TEST_PEAK_RSS_FILE,String(process.resourceUsage().maxRSS)))';

export interface ChildRun {
  code: number | null;
  out: string;
  err: string;
  /** Peak resident set of the child in bytes (null when it died before writing it). */
  peakRssBytes: number | null;
  wallMs: number;
}

/**
 * Runs the built CLI (dist/main.js) in a child process with `env`, as a user runs it, and
 * measures its peak resident set. Asynchronous, so that a loopback server in this process (the
 * fake hub) keeps answering the child.
 */
export function expChild(
  args: string[],
  o: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): Promise<ChildRun> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'exp-child-'));
  const rssFile = path.join(tmp, 'maxrss');
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', PEAK_RSS_PRELOAD, MAIN, ...args], {
    cwd: o.cwd,
    env: { ...o.env, EXP_TEST_PEAK_RSS_FILE: rssFile, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: o.timeoutMs,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      let peakRssBytes: number | null = null;
      try {
        peakRssBytes = Number(readFileSync(rssFile, 'utf8')) * 1024;
      } catch {
        // killed before its exit handler ran
      }
      rmSync(tmp, { recursive: true, force: true });
      resolve({
        code,
        out: out.trimEnd(),
        err: err.trimEnd(),
        peakRssBytes,
        wallMs: Date.now() - t0,
      });
    });
  });
}
