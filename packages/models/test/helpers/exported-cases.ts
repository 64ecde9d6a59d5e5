// The models the generation-path tests run on: the golden checkpoints and the tiny presets
// (seeded random weights, 128k vocabulary), each exported into a test's temporary folder.
import path from 'node:path';
import { exportCheckpoint } from '../../src/export.js';
import { initPreset } from '../../src/init/presets.js';
import { goldenDir } from './shared.js';

export const EXPORTED_CASES = [
  { name: 'golden tiny-llama', model: 'tiny-llama', golden: true, vocab: 512 },
  { name: 'golden tiny-diffllama', model: 'tiny-diffllama', golden: true, vocab: 512 },
  { name: 'preset tiny-llama', model: 'tiny-llama', golden: false, vocab: 128256 },
  { name: 'preset tiny-diffllama', model: 'tiny-diffllama', golden: false, vocab: 128256 },
] as const;
export type ExportedCase = (typeof EXPORTED_CASES)[number];

/** Exports the case's checkpoint (a preset initialised first) under `tmp`; returns the folder. */
export async function exportCase(c: ExportedCase, tmp: string): Promise<string> {
  let ckpt: string = goldenDir(c.model);
  if (!c.golden) {
    ckpt = path.join(tmp, `${c.name}-ckpt`);
    await initPreset(c.model, ckpt);
  }
  const dir = path.join(tmp, c.name);
  await exportCheckpoint(ckpt, dir);
  return dir;
}
