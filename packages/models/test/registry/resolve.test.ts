// resolveModel's first-use path against the loopback hub: the real repo names serve tiny presets;
// pull + export on first use, reuse without network, re-export when the source changes, and the
// one-line error offline with nothing cached.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadCausalLM } from '../../src/causal-lm.js';
import { exportCheckpoint } from '../../src/export.js';
import { sha256, type FakeHub } from '../fake-hub.js';
import { PRESET_CONFIGS, presetConfigJson } from '../../src/init/presets.js';
import { DEFAULT_INIT_SEED, initRandomCheckpoint } from '../../src/init/random-checkpoint.js';
import {
  ModelResolveError,
  resolveModel,
  type ResolveModelOptions,
  type ResolveProgress,
} from '../../src/registry/resolve.js';
import {
  DIFFLLAMA_REPO,
  LLAMA_REPO,
  presetRepoFiles,
  serveRepos,
  SUBFOLDER,
} from './hub-fixture.js';
import { useTempDirs } from './temp-dirs.js';

const COMMIT_1 = '1'.repeat(40);
const COMMIT_2 = '2'.repeat(40);
const EXPORTED_FILES = [
  'config.json',
  'exp-model.json',
  'generation_config.json',
  'model.onnx',
  'tokenizer.json',
  'tokenizer_config.json',
];

const dirs = useTempDirs('exp-resolve-');
let hub: FakeHub;
let llama1: Record<string, Buffer>;
let llama2: Record<string, Buffer>;
let diffllama1: Record<string, Buffer>;
const cacheDir = () => path.join(dirs.root, 'hf-cache');
const modelsDir = () => path.join(dirs.root, 'models');

beforeAll(async () => {
  llama1 = await presetRepoFiles('tiny-llama', path.join(dirs.root, 'src-llama-1'), 1);
  llama2 = await presetRepoFiles('tiny-llama', path.join(dirs.root, 'src-llama-2'), 2);
  diffllama1 = await presetRepoFiles('tiny-diffllama', path.join(dirs.root, 'src-diffllama-1'), 1);
  hub = await serveRepos(COMMIT_1, { llama: llama1, diffllama: diffllama1 });
});
afterAll(async () => {
  await hub.close();
});

function options(extra: ResolveModelOptions = {}): ResolveModelOptions {
  return {
    endpoint: hub.endpoint,
    cacheDir: cacheDir(),
    modelsDir: modelsDir(),
    offline: false,
    ...extra,
  };
}

async function greedy(dir: string): Promise<number[]> {
  const lm = await loadCausalLM(dir);
  try {
    const [r] = await lm.generate([[128000, 9906, 11, 1917]], { maxNewTokens: 5 });
    return r!.tokens;
  } finally {
    await lm.dispose();
  }
}

describe('resolveModel: hub models through the models cache', () => {
  it('first use pulls and exports llama into models/llama; it loads and generates', async () => {
    const steps: ResolveProgress['step'][] = [];
    const r = await resolveModel('llama', options({ onProgress: (p) => steps.push(p.step) }));
    expect(r).toEqual({
      name: 'llama',
      kind: 'hub',
      dir: path.join(modelsDir(), 'llama'),
      source: { repo: LLAMA_REPO, revision: COMMIT_1, subfolder: SUBFOLDER },
      sourceSha256: {
        'config.json': sha256(llama1[`${SUBFOLDER}/config.json`]!),
        'model.safetensors': sha256(llama1[`${SUBFOLDER}/model.safetensors`]!),
      },
      modelType: 'llama',
      exported: true,
      // the snapshot folder the export was made from (what training reads)
      checkpointDir: path.join(
        cacheDir(),
        'models--reyllama--Llama_375M',
        'snapshots',
        COMMIT_1,
        SUBFOLDER,
      ),
    });
    expect([...new Set(steps)]).toEqual(['pull', 'export']);
    expect(readdirSync(r.dir).sort()).toEqual(EXPORTED_FILES);
    // Nothing but the export itself in the models cache: no temporary folders left.
    expect(readdirSync(modelsDir())).toEqual(['llama']);
    const manifest = JSON.parse(readFileSync(path.join(r.dir, 'exp-model.json'), 'utf8'));
    expect(manifest.source).toMatchObject({
      repo: LLAMA_REPO,
      revision: COMMIT_1,
      subfolder: SUBFOLDER,
      dir: path.join(cacheDir(), 'models--reyllama--Llama_375M', 'snapshots', COMMIT_1, SUBFOLDER),
    });
    expect(manifest).toMatchObject({ dtype: 'fp32', attentions: true, model_type: 'llama' });

    // The same tokens as an export made by hand from the preset the hub serves.
    const direct = await exportCheckpoint(
      path.join(dirs.root, 'src-llama-1'),
      path.join(dirs.root, 'direct'),
    );
    const tokens = await greedy(r.dir);
    expect(tokens).toHaveLength(5);
    expect(tokens).toEqual(await greedy(direct.outDir));
  });

  it('diffllama resolves to the DiffLlama repo', async () => {
    const r = await resolveModel('diffllama', options());
    expect(r).toMatchObject({
      name: 'diffllama',
      kind: 'hub',
      dir: path.join(modelsDir(), 'diffllama'),
      source: { repo: DIFFLLAMA_REPO, revision: COMMIT_1, subfolder: SUBFOLDER },
      modelType: 'diffllama',
      exported: true,
    });
    expect(r.sourceSha256['model.safetensors']).toBe(
      sha256(diffllama1[`${SUBFOLDER}/model.safetensors`]!),
    );
  });

  it('a second use reuses the export without the network', async () => {
    const before = statSync(path.join(modelsDir(), 'llama', 'model.onnx'));
    await hub.close();
    hub.log.length = 0;
    const steps: ResolveProgress['step'][] = [];
    const r = await resolveModel('llama', options({ onProgress: (p) => steps.push(p.step) }));
    expect(r).toMatchObject({ kind: 'hub', exported: false, source: { revision: COMMIT_1 } });
    expect(r.sourceSha256['model.safetensors']).toBe(
      sha256(llama1[`${SUBFOLDER}/model.safetensors`]!),
    );
    expect(steps).toEqual([]);
    expect(hub.log).toEqual([]);
    const after = statSync(path.join(r.dir, 'model.onnx'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    // Offline mode reads the same cache.
    const offline = await resolveModel('llama', options({ offline: true }));
    expect(offline.exported).toBe(false);
  });

  it('re-exports when the hub source changed', async () => {
    hub = await serveRepos(COMMIT_2, { llama: llama2, diffllama: diffllama1 });
    const reasons: string[] = [];
    const r = await resolveModel(
      'llama',
      options({
        onProgress: (p) => p.step === 'reexport' && reasons.push(p.reason),
      }),
    );
    const was = sha256(llama1[`${SUBFOLDER}/model.safetensors`]!);
    const now = sha256(llama2[`${SUBFOLDER}/model.safetensors`]!);
    expect(reasons).toEqual([
      `model.safetensors changed (sha256 ${now.slice(0, 12)}…, export made from ${was.slice(0, 12)}…)`,
    ]);
    expect(r).toMatchObject({ exported: true, source: { revision: COMMIT_2 } });
    expect(r.sourceSha256['model.safetensors']).toBe(now);
    expect(readdirSync(modelsDir()).sort()).toEqual(['diffllama', 'llama']);
  });

  it('offline with only the models cache: the export is used', async () => {
    const r = await resolveModel(
      'llama',
      options({ offline: true, cacheDir: path.join(dirs.root, 'empty-hf-cache') }),
    );
    expect(r).toMatchObject({ exported: false, source: { repo: LLAMA_REPO, revision: COMMIT_2 } });
  });

  it('offline with nothing cached: one line saying how to run offline', async () => {
    const empty = path.join(dirs.root, 'nothing');
    const err = await resolveModel('diffllama', {
      cacheDir: path.join(empty, 'hf'),
      modelsDir: path.join(empty, 'models'),
      offline: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelResolveError);
    expect((err as Error).message).toBe(
      `diffllama: ${DIFFLLAMA_REPO}/${SUBFOLDER} is in neither the hub cache (${path.join(empty, 'hf')}) ` +
        `nor the models cache (${path.join(empty, 'models', 'diffllama')}) and offline mode is on (HF_HUB_OFFLINE); ` +
        `to run offline, pull it where there is internet (exp models pull ${DIFFLLAMA_REPO}:${SUBFOLDER}) ` +
        'and copy that HF_HOME here with HF_HUB_OFFLINE=1, pass the path of a local checkpoint or exported folder, ' +
        'or use tiny-llama / tiny-diffllama',
    );
    expect((err as Error).message).not.toContain('\n');

    const endpoint = hub.endpoint;
    await hub.close();
    const unreachable = await resolveModel('llama', {
      endpoint,
      cacheDir: path.join(empty, 'hf'),
      modelsDir: path.join(empty, 'models'),
      offline: false,
    }).catch((e: unknown) => (e as Error).message);
    expect(unreachable).toContain(`and ${endpoint} cannot be reached; to run offline`);
    expect(existsSync(path.join(empty, 'models'))).toBe(false);
  });
});

describe('resolveModel: presets and local folders', () => {
  it('generates a preset into the cache, exports it and reuses it', async () => {
    const dir = path.join(dirs.root, 'preset-models');
    const r = await resolveModel('tiny-llama', { modelsDir: dir });
    expect(r).toMatchObject({
      name: 'tiny-llama',
      kind: 'preset',
      dir: path.join(dir, 'tiny-llama'),
      source: { preset: 'tiny-llama', seed: DEFAULT_INIT_SEED },
      modelType: 'llama',
      exported: true,
    });
    expect(readdirSync(path.join(dir, '.sources', 'tiny-llama')).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const again = await resolveModel('tiny-llama', { modelsDir: dir });
    expect(again).toEqual({ ...r, exported: false });

    // Another seed is another model folder; the same seed gives the same weights.
    const seeded = await resolveModel('tiny-llama', { modelsDir: dir, seed: 1 });
    expect(seeded).toMatchObject({
      name: 'tiny-llama-seed1',
      dir: path.join(dir, 'tiny-llama-seed1'),
    });
    expect(seeded.sourceSha256['model.safetensors']).toBe(
      sha256(llama1[`${SUBFOLDER}/model.safetensors`]!),
    );
  });

  it('a cached preset of an older shape is regenerated and re-exported, not reused', async () => {
    // The cache as an earlier preset definition (1 KV head, head_dim 16) left it.
    const dir = path.join(dirs.root, 'stale-preset-models');
    const srcDir = path.join(dir, '.sources', 'tiny-llama');
    const old = {
      ...PRESET_CONFIGS['tiny-llama'],
      num_attention_heads: 4,
      num_key_value_heads: 1,
      head_dim: 16,
    };
    await initRandomCheckpoint(srcDir, old);
    await exportCheckpoint(srcDir, path.join(dir, 'tiny-llama'), {
      dtype: 'fp32',
      attentions: true,
      source: { preset: 'tiny-llama', seed: DEFAULT_INIT_SEED },
    });
    const steps: string[] = [];
    const r = await resolveModel('tiny-llama', {
      modelsDir: dir,
      onProgress: (p) => {
        if (p.step === 'init') steps.push(`init: ${p.message}`);
        if (p.step === 'reexport') steps.push(`reexport: ${p.reason}`);
      },
    });
    expect(steps).toEqual([
      `init: generating tiny-llama (seed ${DEFAULT_INIT_SEED}) in ${srcDir} ` +
        '(the cached copy has an older config.json)',
      'reexport: config.json changed',
    ]);
    expect(r.exported).toBe(true);
    expect(readFileSync(path.join(srcDir, 'config.json'), 'utf8')).toBe(
      presetConfigJson('tiny-llama'),
    );
    expect(readFileSync(path.join(r.dir, 'config.json'), 'utf8')).toBe(
      presetConfigJson('tiny-llama'),
    );
  });

  it('valueNorms re-exports a cached export without them once; later plain uses keep them', async () => {
    const dir = path.join(dirs.root, 'value-norms-models');
    const reasons: string[] = [];
    const onProgress = (p: ResolveProgress) => {
      if (p.step === 'reexport') reasons.push(p.reason);
    };
    const manifest = (d: string) =>
      JSON.parse(readFileSync(path.join(d, 'exp-model.json'), 'utf8')) as Record<string, unknown>;
    const plain = await resolveModel('tiny-diffllama', { modelsDir: dir, onProgress });
    expect('value_norms' in manifest(plain.dir)).toBe(false);
    const vn = await resolveModel('tiny-diffllama', {
      modelsDir: dir,
      valueNorms: true,
      onProgress,
    });
    expect(vn.exported).toBe(true);
    expect(reasons).toEqual(['exported without value norms']);
    expect(manifest(vn.dir).value_norms).toBe(true);
    for (const valueNorms of [false, true]) {
      const again = await resolveModel('tiny-diffllama', {
        modelsDir: dir,
        valueNorms,
        onProgress,
      });
      expect(again.exported).toBe(false);
    }
    expect(reasons).toHaveLength(1);
  });

  it('knockout re-exports a cached export without its inputs once, keeping value norms', async () => {
    const dir = path.join(dirs.root, 'knockout-models');
    const reasons: string[] = [];
    const onProgress = (p: ResolveProgress) => {
      if (p.step === 'reexport') reasons.push(p.reason);
    };
    const manifest = (d: string) =>
      JSON.parse(readFileSync(path.join(d, 'exp-model.json'), 'utf8')) as Record<string, unknown>;
    await resolveModel('tiny-llama', { modelsDir: dir, valueNorms: true, onProgress });
    const ko = await resolveModel('tiny-llama', { modelsDir: dir, knockout: true, onProgress });
    expect(ko.exported).toBe(true);
    expect(reasons).toEqual(['exported without knockout inputs']);
    expect(manifest(ko.dir)).toMatchObject({ knockout: true, value_norms: true });
    expect(manifest(ko.dir).inputs).toEqual(
      expect.arrayContaining(['knockout_keys', 'knockout_from_layer']),
    );
    // later uses with or without it, or with value norms only, keep that export
    for (const o of [{ knockout: true }, {}, { valueNorms: true }]) {
      const again = await resolveModel('tiny-llama', { modelsDir: dir, ...o, onProgress });
      expect(again.exported).toBe(false);
    }
    expect(reasons).toHaveLength(1);
  });

  it('a local checkpoint is exported under .local; an exported folder is used in place', async () => {
    const dir = path.join(dirs.root, 'local-models');
    const ckpt = path.join(dirs.root, 'src-diffllama-1');
    const r = await resolveModel(ckpt, { modelsDir: dir });
    expect(r.kind).toBe('checkpoint');
    expect(r.name).toBe('src-diffllama-1');
    expect(path.dirname(r.dir)).toBe(path.join(dir, '.local'));
    expect(path.basename(r.dir)).toMatch(/^src-diffllama-1-[0-9a-f]{8}$/);
    expect(r.source).toEqual({ path: ckpt });
    expect(r.checkpointDir).toBe(ckpt);
    expect((await resolveModel(ckpt, { modelsDir: dir })).exported).toBe(false);

    const exported = await resolveModel(r.dir, { modelsDir: dir });
    expect(exported).toEqual({
      name: path.basename(r.dir),
      kind: 'export',
      dir: r.dir,
      source: { path: r.dir },
      sourceSha256: r.sourceSha256,
      modelType: 'diffllama',
      exported: false,
    });
  });

  it('an unknown name lists the known ones', async () => {
    await expect(resolveModel('gpt2', { modelsDir: dirs.root })).rejects.toThrow(
      'unknown model "gpt2"; known: diffllama, llama, tiny-diffllama, tiny-llama; or pass the path of a checkpoint or exported folder',
    );
  });
});
