// Part "decode": greedy decode tokens/s of a random model in the real models' shape (375M,
// vocab 128256, GQA 16/4, tied embeddings, llama3 RoPE), one child process per batch size.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Measurement } from '@exp/bench-kit/generate-bench';
import type { Log } from '@exp/bench-kit/paths';

/** Hugging Face transformers generate() on the same shape, measured on this 2-core machine (tok/s by batch). */
export const TRANSFORMERS_375M: Readonly<Record<number, number>> = { 1: 15.3, 16: 70 };

export interface DecodeOptions {
  batches: number[];
  promptLength: number;
  newTokens: number;
  threads: number;
  repeats: number;
}

export interface DecodeMeasurement extends Measurement {
  maxRssBytes: number;
}

function child(args: string[], log: Log): Promise<DecodeMeasurement> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'decode-child.ts');
  return new Promise((resolve, reject) => {
    // execArgv carries tsx's loader into the child
    const c = spawn(process.execPath, [...process.execArgv, file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-4000);
      for (const line of b.toString().split('\n')) if (line.trim()) log(line);
    });
    c.on('error', reject);
    c.on('close', (code) => {
      if (code !== 0) return reject(new Error(`decode child exited with ${code}:\n${err}`));
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
        measurement: Measurement;
        maxRssBytes: number;
      };
      resolve({ ...r.measurement, maxRssBytes: r.maxRssBytes });
    });
  });
}

export async function benchDecode(o: DecodeOptions, log: Log): Promise<DecodeMeasurement[]> {
  const rows: DecodeMeasurement[] = [];
  for (const batch of o.batches) {
    const args = [
      '--model',
      'random-375m',
      '--batch',
      String(batch),
      '--threads',
      String(o.threads),
    ];
    args.push('--prompt', String(o.promptLength), '--new', String(o.newTokens));
    rows.push(await child([...args, '--repeats', String(o.repeats)], log));
  }
  return rows;
}
