// Tiny presets served under the real repo names by the loopback fake hub, so that resolveModel's
// first-use path (pull, export, reuse) runs exactly as it would against huggingface.co.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startFakeHub, type FakeHub } from '../fake-hub.js';
import { initPreset, type PresetName } from '../../src/init/presets.js';

export const SUBFOLDER = 'checkpoint-64434';
export const LLAMA_REPO = 'reyllama/Llama_375M';
export const DIFFLLAMA_REPO = 'reyllama/DiffLlama-375M';

/** The files of a preset checkpoint as a repo's `checkpoint-64434/` folder. */
export async function presetRepoFiles(
  preset: PresetName,
  dir: string,
  seed: number,
): Promise<Record<string, Buffer>> {
  await initPreset(preset, dir, { seed });
  const files: Record<string, Buffer> = {
    'README.md': Buffer.from(`# ${preset} seed ${seed}\n`),
  };
  for (const f of readdirSync(dir)) files[`${SUBFOLDER}/${f}`] = readFileSync(path.join(dir, f));
  return files;
}

const isLfs = (p: string) => p.endsWith('.safetensors') || p.endsWith('tokenizer.json');

/** A fake hub holding both real repo names at `commit`, their files from `files`. */
export function serveRepos(
  commit: string,
  files: { llama: Record<string, Buffer>; diffllama: Record<string, Buffer> },
): Promise<FakeHub> {
  return startFakeHub([
    { repo: LLAMA_REPO, refs: { main: commit }, files: files.llama, lfs: isLfs },
    { repo: DIFFLLAMA_REPO, refs: { main: commit }, files: files.diffllama, lfs: isLfs },
  ]);
}
