// The load-time folder check: exp-model.json against the folder's files. A mixed or stale
// folder is refused in one line naming the folder and what differs; a folder without
// exp-model.json (torch.onnx exports) loads as before.
import { describe, expect, it } from '@jest/globals';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { loadCausalLM } from '../../src/causal-lm.js';
import { exportCheckpoint, type ExpModelManifest } from '../../src/export.js';
import { initPreset } from '../../src/init/presets.js';
import { FULL_HASH_MAX_BYTES } from '../../src/registry/file-hash.js';
import { checkExportedFolder, ModelFolderError } from '../../src/registry/folder-check.js';
import { deriveCheckpoint } from '../helpers/checkpoints.js';
import { goldenDir, SHARED_DIR } from '../helpers/shared.js';
import { SUBFOLDER } from './hub-fixture.js';
import { useTempDirs } from './temp-dirs.js';

const { fresh } = useTempDirs('exp-folder-check-');

const recorded = (dir: string, file: string) =>
  (
    JSON.parse(readFileSync(path.join(dir, 'exp-model.json'), 'utf8')) as ExpModelManifest
  ).files!.find((f) => f.file === file)!;
const refusal = (dir: string, what: string) =>
  `model folder ${dir} does not match its exp-model.json: ${what}; export it again`;

/** Two exports of the same architecture with other weights: their model.onnx have one size. */
async function twoExports() {
  // Same folder name: the name is in model.onnx's doc string, and real snapshots share theirs.
  const dir = path.join(fresh('ckpt'), 'tiny-llama');
  mkdirSync(dir);
  const other = deriveCheckpoint('tiny-llama', dir, {
    values: (_, v) => v.map((x) => x * 0.5),
  });
  const a = (await exportCheckpoint(goldenDir('tiny-llama'), fresh('a'))).outDir;
  const b = (await exportCheckpoint(other, fresh('b'))).outDir;
  return { a, b };
}

describe('checkExportedFolder', () => {
  it('passes a whole export and records every file it wrote', async () => {
    const { a } = await twoExports();
    const m = checkExportedFolder(a)!;
    expect(m.files!.map((f) => f.file)).toEqual(['model.onnx', 'config.json']);
    expect(recorded(a, 'model.onnx').bytes).toBe(statSync(path.join(a, 'model.onnx')).size);
  });

  it('refuses a model.onnx from another export, in one line', async () => {
    const { a, b } = await twoExports();
    copyFileSync(path.join(b, 'model.onnx'), path.join(a, 'model.onnx'));
    const got = recorded(b, 'model.onnx').sha256.slice(0, 12);
    const want = recorded(a, 'model.onnx').sha256.slice(0, 12);
    const message = refusal(a, `model.onnx has sha256 ${got}…, ${want}… recorded`);
    expect(() => checkExportedFolder(a)).toThrow(ModelFolderError);
    expect(() => checkExportedFolder(a)).toThrow(message);
    await expect(loadCausalLM(a)).rejects.toThrow(message);
  });

  it('names every difference: sizes, missing files, files not from this export', async () => {
    const { a, b } = await twoExports();
    const size = statSync(path.join(a, 'model.onnx')).size;
    truncateSync(path.join(a, 'model.onnx'), 100);
    rmSync(path.join(a, 'config.json'));
    copyFileSync(path.join(b, 'model.onnx'), path.join(a, 'model.onnx.data'));
    expect(() => checkExportedFolder(a)).toThrow(
      refusal(
        a,
        `model.onnx has 100 bytes, ${size} recorded; config.json is missing; model.onnx.data is not from this export`,
      ),
    );
  });

  it('samples large files: a same-size model.onnx from another seed is refused', async () => {
    const [s1, s2] = [fresh('seed1'), fresh('seed2')].map((d) => path.join(d, SUBFOLDER));
    await initPreset('tiny-llama', s1, { seed: 1 });
    await initPreset('tiny-llama', s2, { seed: 2 });
    const a = (await exportCheckpoint(s1, fresh('big-a'))).outDir;
    const b = (await exportCheckpoint(s2, fresh('big-b'))).outDir;
    const bytes = statSync(path.join(a, 'model.onnx')).size;
    expect(bytes).toBe(statSync(path.join(b, 'model.onnx')).size);
    expect(bytes).toBeGreaterThan(FULL_HASH_MAX_BYTES);
    expect(checkExportedFolder(a)!.files!.map((f) => f.file)).toEqual([
      'model.onnx',
      'config.json',
      'generation_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    copyFileSync(path.join(b, 'model.onnx'), path.join(a, 'model.onnx'));
    expect(() => checkExportedFolder(a)).toThrow(
      refusal(a, 'model.onnx has other contents than recorded (sampled sha256, same size)'),
    );
    // The full check hashes it too.
    const got = recorded(b, 'model.onnx').sha256.slice(0, 12);
    const want = recorded(a, 'model.onnx').sha256.slice(0, 12);
    expect(() => checkExportedFolder(a, { full: true })).toThrow(
      refusal(a, `model.onnx has sha256 ${got}…, ${want}… recorded`),
    );
  });

  it('older manifests without files: the config hash and the data file are checked', async () => {
    const { a } = await twoExports();
    const file = path.join(a, 'exp-model.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as ExpModelManifest;
    delete m.files;
    writeFileSync(file, JSON.stringify(m));
    expect(checkExportedFolder(a)).toEqual(m);
    writeFileSync(path.join(a, 'config.json'), '{}');
    writeFileSync(path.join(a, 'model.onnx.data'), '');
    expect(() => checkExportedFolder(a)).toThrow(
      refusal(
        a,
        "config.json has other contents than the source's (config_sha256); model.onnx.data is not from this export",
      ),
    );
  });

  it('a broken exp-model.json is refused naming the field', async () => {
    const { a } = await twoExports();
    const file = path.join(a, 'exp-model.json');
    const m = JSON.parse(readFileSync(file, 'utf8'));
    m.files[0].bytes = 'many';
    writeFileSync(file, JSON.stringify(m));
    expect(() => checkExportedFolder(a)).toThrow(
      refusal(
        a,
        'exp-model.json field files.0.bytes: Invalid input: expected number, received string',
      ),
    );
  });

  it('a folder without exp-model.json has nothing to check and loads', async () => {
    const torch = path.join(SHARED_DIR, 'golden', 'torch-onnx', 'tiny-llama');
    expect(checkExportedFolder(torch)).toBeNull();
    expect(checkExportedFolder(goldenDir('tiny-llama'))).toBeNull();
    const lm = await loadCausalLM(goldenDir('tiny-llama'), {
      modelPath: path.join(torch, 'model.onnx'),
      decoder: 'present',
    });
    const out = await lm.forward({ inputIds: [[1, 2, 3]] });
    expect(out.logits.dims).toEqual([1, 3, 512]);
    await lm.dispose();
  });
});
