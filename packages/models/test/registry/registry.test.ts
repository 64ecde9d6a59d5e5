// The model registry: built-in entries, registerModel, and JSON registry files validated by the
// same zod schema (errors name the file and the field).
import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  BUILTIN_MODELS,
  getRegisteredModel,
  listModels,
  loadRegistryFile,
  ModelRegistryError,
  registerModel,
} from '../../src/registry/registry.js';
import { resolveModel } from '../../src/registry/resolve.js';
import { goldenDir } from '../helpers/shared.js';
import { useTempDirs } from './temp-dirs.js';

const dirs = useTempDirs('exp-registry-');
let n = 0;
/** A hub entry other than the built-in one. */
const LLAMA_V2 = {
  kind: 'hub',
  repo: 'reyllama/Llama_375M',
  subfolder: 'checkpoint-100',
  revision: 'v2',
} as const;

function registryFile(json: unknown): string {
  const file = path.join(dirs.root, `registry-${n++}.json`);
  writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
  return file;
}

describe('built-in models', () => {
  it('maps the experiment names to the hub checkpoints and presets', () => {
    expect(BUILTIN_MODELS).toEqual({
      llama: { kind: 'hub', repo: 'reyllama/Llama_375M', subfolder: 'checkpoint-64434' },
      diffllama: { kind: 'hub', repo: 'reyllama/DiffLlama-375M', subfolder: 'checkpoint-64434' },
      'tiny-llama': { kind: 'preset', preset: 'tiny-llama' },
      'tiny-diffllama': { kind: 'preset', preset: 'tiny-diffllama' },
    });
    expect(listModels()).toEqual(['diffllama', 'llama', 'tiny-diffllama', 'tiny-llama']);
  });
});

describe('registerModel', () => {
  it('adds a name, refuses a taken one unless replacing, validates the entry', async () => {
    registerModel('golden', { kind: 'local', path: goldenDir('tiny-llama') });
    expect(getRegisteredModel('golden')).toEqual({ kind: 'local', path: goldenDir('tiny-llama') });
    expect(() => registerModel('llama', { kind: 'preset', preset: 'tiny-llama' })).toThrow(
      new ModelRegistryError('model llama is already registered (pass replace to change it)'),
    );
    registerModel(
      'golden',
      { kind: 'preset', preset: 'tiny-diffllama', seed: 3 },
      { replace: true },
    );
    expect(getRegisteredModel('golden')).toEqual({
      kind: 'preset',
      preset: 'tiny-diffllama',
      seed: 3,
    });
    expect(() => registerModel('a/b', { kind: 'preset', preset: 'tiny-llama' })).toThrow(
      'model name "a/b": use letters, digits, ".", "_" and "-" (it names a folder)',
    );
    expect(() =>
      registerModel('bad', { kind: 'hub', repo: 'no-slash' } as Parameters<
        typeof registerModel
      >[1]),
    ).toThrow('model bad: field repo: expected "org/name"');
  });

  it('resolveModel uses a registered local checkpoint, exported under its name', async () => {
    registerModel('golden-llama', { kind: 'local', path: goldenDir('tiny-llama') });
    const r = await resolveModel('golden-llama', { modelsDir: path.join(dirs.root, 'models') });
    expect(r).toMatchObject({
      name: 'golden-llama',
      kind: 'checkpoint',
      dir: path.join(dirs.root, 'models', 'golden-llama'),
      source: { path: goldenDir('tiny-llama') },
      modelType: 'llama',
      exported: true,
    });
    // sha256 values from shared/golden/README.md section 1.
    expect(r.sourceSha256).toEqual({
      'config.json': '067b202a41d056ea91e8ca035282da904c5349a0c93af3e9b26ed24533d0ab8d',
      'model.safetensors': '922e2a201c72055aa61a5995252460dd081f6e3b0f9a2885d18ea15d4496923d',
    });
  });
});

describe('loadRegistryFile', () => {
  it('reads entries and makes local paths absolute against the file', () => {
    const file = registryFile({
      models: {
        mine: { kind: 'local', path: 'ckpts/mine' },
        'llama-v2': LLAMA_V2,
        'tiny.7': { kind: 'preset', preset: 'tiny-llama', seed: 7 },
      },
    });
    expect(loadRegistryFile(file)).toEqual({
      mine: { kind: 'local', path: path.join(dirs.root, 'ckpts', 'mine') },
      'llama-v2': LLAMA_V2,
      'tiny.7': { kind: 'preset', preset: 'tiny-llama', seed: 7 },
    });
  });

  it('names the file and the field of each error', () => {
    const cases: [unknown, string][] = [
      [
        { models: { x: { kind: 'hub', repo: 'noslash' } } },
        'field models.x.repo: expected "org/name"',
      ],
      [
        { models: { x: { kind: 'preset', preset: 'tiny-gpt' } } },
        'field models.x.preset: Invalid option: expected one of "tiny-llama"|"tiny-diffllama"',
      ],
      [
        { models: { x: { kind: 'git', url: 'u' } } },
        "field models.x.kind: Invalid discriminator value. Expected 'hub' | 'preset' | 'local'",
      ],
      [
        { models: { x: { kind: 'local', path: 'p', extra: 1 } } },
        'field models.x: Unrecognized key: "extra"',
      ],
      [
        { models: { '../up': { kind: 'local', path: 'p' } } },
        'field models: name "../up": model names are letters, digits, ".", "_" and "-"',
      ],
      [{ model: {} }, 'field models: Invalid input: expected record, received undefined'],
    ];
    for (const [json, message] of cases) {
      const file = registryFile(json);
      expect(() => loadRegistryFile(file)).toThrow(new ModelRegistryError(`${file}: ${message}`));
    }
    const broken = registryFile('{ "models": ');
    expect(() => loadRegistryFile(broken)).toThrow(`cannot read registry ${broken}: `);
  });

  it("a file's entries are resolved through resolveModel's registry option", async () => {
    const file = registryFile({
      models: { golden: { kind: 'local', path: goldenDir('tiny-diffllama') } },
    });
    const r = await resolveModel('golden', {
      registry: loadRegistryFile(file),
      modelsDir: path.join(dirs.root, 'file-models'),
    });
    expect(r).toMatchObject({ name: 'golden', kind: 'checkpoint', modelType: 'diffllama' });
  });
});
