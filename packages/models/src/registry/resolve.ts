// resolveModel: a model name or path -> an exported folder ready for loadCausalLM. Hub models and
// presets are exported on first use into the models cache (`models/<name>/`, EXP_MODELS_DIR)
// and that export is reused while the source it was made from (sha256 of config.json and the
// weight files, recorded in exp-model.json) is still the current source.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { ExpError, hashFile, projectRoot, resolveUserPath, sha256Hex } from '@exp/data';
import { Checkpoint } from '../checkpoint.js';
import { loadModelConfig, type ModelType } from '../config.js';
import {
  exportCheckpoint,
  exporterInfo,
  MODEL_FILE,
  type ExpModelManifest,
  type ExportOptions,
  type ExportProgress,
} from '../export.js';
import { hubCacheDir, repoCacheFolder } from '../hub/cache.js';
import { HubError, HubUnreachableError } from '../hub/errors.js';
import { DEFAULT_ENDPOINT, pullModel, type PullProgress } from '../hub/pull.js';
import { initPreset, presetConfigJson, type PresetName } from '../init/presets.js';
import { DEFAULT_INIT_SEED } from '../init/random-checkpoint.js';
import { writeFolderAtomically } from './atomic-folder.js';
import { checkExportedFolder, ModelFolderError } from './folder-check.js';
import {
  getRegisteredModel,
  unknownModel,
  MODEL_NAME_PATTERN,
  type ModelSource,
} from './registry.js';

/** hub / preset: exported into the models cache; checkpoint: a local checkpoint, likewise; export: a local exported folder, used in place. */
export type ModelKind = 'hub' | 'preset' | 'checkpoint' | 'export';

export type ResolveProgress =
  | { step: 'pull'; pull: PullProgress }
  | { step: 'init'; message: string }
  /** The cached export is not reused, and why. */
  | { step: 'reexport'; reason: string }
  | { step: 'export'; export: ExportProgress };

export interface ResolveModelOptions {
  /** Models cache; default EXP_MODELS_DIR, else `<workspace root>/models`. */
  modelsDir?: string;
  /** Extra or overriding entries (e.g. from loadRegistryFile), looked up before the registry. */
  registry?: Readonly<Record<string, ModelSource>>;
  /** Hub endpoint; default HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** Default HF_TOKEN. */
  token?: string;
  /** Never use the network; default HF_HUB_OFFLINE=1. */
  offline?: boolean;
  /** HF cache; default HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Seed of presets (default the entry's, else DEFAULT_INIT_SEED); another seed is another cache folder. */
  seed?: number;
  /**
   * Export attentions.{i} (and lambda_full.{i}) outputs too; default true: they name values the
   * graph computes anyway (no extra nodes), and the attention analysis needs them.
   */
  attentions?: boolean;
  /**
   * Export value_norms.{i} too (the attention analysis' value-weighted shares); default false. A
   * cached export without them is then made again, one with them is kept either way.
   */
  valueNorms?: boolean;
  /**
   * Export the attention-knockout inputs too (knockout_keys, knockout_from_layer: forward and
   * score with `knockout`); default false. Like valueNorms, a cached export without them is made
   * again, one with them is kept either way.
   */
  knockout?: boolean;
  onProgress?: (p: ResolveProgress) => void;
}

export interface ResolvedModel {
  /** The registry name, or the folder name of a path. */
  name: string;
  kind: ModelKind;
  /** Exported folder (model.onnx, config, tokenizer) for loadCausalLM. */
  dir: string;
  source: {
    repo?: string;
    /** The commit a hub revision resolved to. */
    revision?: string;
    subfolder?: string;
    preset?: PresetName;
    seed?: number;
    /** Local checkpoint or exported folder. */
    path?: string;
  };
  /** sha256 of the source's config.json and weight files (empty for foreign exported folders). */
  sourceSha256: Record<string, string>;
  modelType: ModelType;
  /** Whether this call exported (false: an export made earlier was reused, or a local export). */
  exported: boolean;
  /**
   * The HF checkpoint folder (config.json + safetensors) the export was made from, where this
   * machine has it: a hub snapshot, a preset's generated source, a local checkpoint. Absent for
   * exported folders and hub models whose snapshot is not cached (training needs the checkpoint).
   */
  checkpointDir?: string;
}

/** A model that cannot be resolved; the message is one line saying what to do. */
export class ModelResolveError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelResolveError';
  }
}

/** EXP_MODELS_DIR, else `models/` at the workspace root. */
export function modelsCacheDir(): string {
  return process.env.EXP_MODELS_DIR
    ? resolveUserPath(process.env.EXP_MODELS_DIR)
    : path.join(projectRoot(), 'models');
}

function envOffline(): boolean {
  return ['1', 'true', 'yes'].includes((process.env.HF_HUB_OFFLINE ?? '').toLowerCase());
}

function recordedSha256(m: ExpModelManifest): Record<string, string> {
  const out: Record<string, string> = { 'config.json': m.source.config_sha256 };
  for (const w of m.source.weight_files) out[w.file] = w.sha256;
  return out;
}

/**
 * sha256 of a source file. A hub snapshot links each LFS file to `blobs/<sha256>`, verified at
 * download, so the name is the hash: a 1.5 GB checkpoint is not read again on every resolve.
 */
async function sourceFileSha256(file: string): Promise<string> {
  const real = realpathSync(file);
  const name = path.basename(real);
  if (path.basename(path.dirname(real)) === 'blobs' && /^[0-9a-f]{64}$/.test(name)) return name;
  return hashFile(real);
}

/** Why the export `m` is not an export of `srcDir` as wanted now, or null when it is. */
async function staleReason(
  m: ExpModelManifest,
  srcDir: string,
  attentions: boolean,
  valueNorms: boolean,
  knockout: boolean,
): Promise<string | null> {
  const exporter = exporterInfo();
  if (m.exporter.name !== exporter.name || m.exporter.version !== exporter.version) {
    return `exported by ${m.exporter.name} ${m.exporter.version}, this is ${exporter.version}`;
  }
  if (m.dtype !== 'fp32') return `exported as ${m.dtype}`;
  if (m.attention !== 'eager') return `exported with ${m.attention} attention`;
  if (attentions && !m.attentions) return 'exported without attentions';
  if (valueNorms && !m.value_norms) return 'exported without value norms';
  if (knockout && !m.knockout) return 'exported without knockout inputs';
  const ckpt = Checkpoint.open(srcDir);
  const weights = ckpt.weightFiles;
  ckpt.close();
  const recorded = new Map(m.source.weight_files.map((w) => [w.file, w]));
  const names = weights.map((f) => path.basename(f));
  if (names.length !== recorded.size || names.some((n) => !recorded.has(n))) {
    return `the source's weight files are ${names.join(', ')}, the export's ${[...recorded.keys()].join(', ')}`;
  }
  // Sizes first: a changed size needs no hashing to tell.
  for (const f of weights) {
    const bytes = statSync(f).size;
    if (bytes !== recorded.get(path.basename(f))!.bytes) return `${path.basename(f)} changed size`;
  }
  const config = await hashFile(path.join(srcDir, 'config.json'));
  if (config !== m.source.config_sha256) return 'config.json changed';
  for (const f of weights) {
    const sha = await sourceFileSha256(f);
    const was = recorded.get(path.basename(f))!.sha256;
    if (sha !== was)
      return `${path.basename(f)} changed (sha256 ${sha.slice(0, 12)}…, export made from ${was.slice(0, 12)}…)`;
  }
  return null;
}

/** The cache folder's manifest when it is a whole export, else null and why. */
function cachedExport(dir: string): { manifest: ExpModelManifest | null; reason?: string } {
  if (!existsSync(dir)) return { manifest: null };
  try {
    const manifest = checkExportedFolder(dir);
    return manifest ? { manifest } : { manifest: null, reason: `${dir} has no exp-model.json` };
  } catch (e) {
    if (e instanceof ModelFolderError) return { manifest: null, reason: e.message };
    throw e;
  }
}

interface EnsureExport {
  srcDir: string;
  dir: string;
  source: NonNullable<ExportOptions['source']>;
  attentions: boolean;
  valueNorms: boolean;
  knockout: boolean;
  progress: (p: ResolveProgress) => void;
}

/** The cached export of `srcDir` at `dir`, made now when missing or stale. */
async function ensureExport(
  e: EnsureExport,
): Promise<{ manifest: ExpModelManifest; exported: boolean }> {
  const cached = cachedExport(e.dir);
  if (cached.manifest) {
    const reason = await staleReason(
      cached.manifest,
      e.srcDir,
      e.attentions,
      e.valueNorms,
      e.knockout,
    );
    if (!reason) return { manifest: cached.manifest, exported: false };
    e.progress({ step: 'reexport', reason });
  } else if (cached.reason) {
    e.progress({ step: 'reexport', reason: cached.reason });
  }
  const r = await exportCheckpoint(e.srcDir, e.dir, {
    dtype: 'fp32',
    attentions: e.attentions,
    // kept when the export being replaced had them (another step asked for them)
    ...(e.valueNorms || cached.manifest?.value_norms ? { valueNorms: true } : {}),
    ...(e.knockout || cached.manifest?.knockout ? { knockout: true } : {}),
    source: e.source,
    onProgress: (p) => e.progress({ step: 'export', export: p }),
  });
  return { manifest: r.manifest, exported: true };
}

function resolved(
  name: string,
  kind: ModelKind,
  dir: string,
  source: ResolvedModel['source'],
  m: { manifest: ExpModelManifest; exported: boolean },
  checkpointDir?: string,
): ResolvedModel {
  return {
    name,
    kind,
    dir,
    source,
    sourceSha256: recordedSha256(m.manifest),
    modelType: m.manifest.model_type,
    exported: m.exported,
    ...(checkpointDir ? { checkpointDir } : {}),
  };
}

interface Context {
  modelsDir: string;
  opts: ResolveModelOptions;
  attentions: boolean;
  valueNorms: boolean;
  knockout: boolean;
  progress: (p: ResolveProgress) => void;
}

async function resolveHub(
  name: string,
  src: Extract<ModelSource, { kind: 'hub' }>,
  ctx: Context,
): Promise<ResolvedModel> {
  const { opts } = ctx;
  const dir = path.join(ctx.modelsDir, name);
  const cacheDir = opts.cacheDir ?? hubCacheDir();
  const offline = opts.offline ?? envOffline();
  const endpoint = opts.endpoint ?? process.env.HF_ENDPOINT ?? DEFAULT_ENDPOINT;
  let snapshot: string;
  try {
    snapshot = await pullModel(src.repo, {
      subfolder: src.subfolder,
      revision: src.revision,
      cacheDir,
      endpoint,
      token: opts.token,
      offline,
      onProgress: (p) => ctx.progress({ step: 'pull', pull: p }),
    });
  } catch (err) {
    // pullModel throws a plain HubError offline when the cache lacks the snapshot.
    const noHub = err instanceof HubUnreachableError || (offline && err instanceof HubError);
    if (!noHub) throw err;
    // Without the hub the source cannot be compared: an export of the same repo folder will do.
    const { manifest } = cachedExport(dir);
    const sameRepo =
      manifest?.source.repo === src.repo &&
      (manifest.source.subfolder ?? '') === (src.subfolder ?? '') &&
      (src.revision === undefined ||
        !/^[0-9a-f]{40}$/.test(src.revision) ||
        manifest.source.revision === src.revision);
    if (manifest && sameRepo) {
      return resolved(name, 'hub', dir, hubSource(src, manifest.source.revision), {
        manifest,
        exported: false,
      });
    }
    const where = `${src.repo}${src.subfolder ? `/${src.subfolder}` : ''}`;
    const why = offline ? 'offline mode is on (HF_HUB_OFFLINE)' : `${endpoint} cannot be reached`;
    throw new ModelResolveError(
      `${name}: ${where} is in neither the hub cache (${cacheDir}) nor the models cache (${dir}) and ${why}; ` +
        `to run offline, pull it where there is internet (exp models pull ${src.repo}${src.subfolder ? `:${src.subfolder}` : ''}) ` +
        'and copy that HF_HOME here with HF_HUB_OFFLINE=1, pass the path of a local checkpoint or exported folder, ' +
        'or use tiny-llama / tiny-diffllama',
    );
  }
  // <cache>/models--org--name/snapshots/<commit>/<subfolder>
  const snapshots = path.join(repoCacheFolder(cacheDir, src.repo), 'snapshots');
  const commit = path.relative(snapshots, snapshot).split(path.sep)[0];
  const source = hubSource(src, commit);
  const m = await ensureExport({
    srcDir: snapshot,
    dir,
    source: { repo: src.repo, revision: commit, subfolder: src.subfolder },
    attentions: ctx.attentions,
    valueNorms: ctx.valueNorms,
    knockout: ctx.knockout,
    progress: ctx.progress,
  });
  return resolved(name, 'hub', dir, source, m, snapshot);
}

function hubSource(src: Extract<ModelSource, { kind: 'hub' }>, commit: string | undefined) {
  return {
    repo: src.repo,
    ...(commit ? { revision: commit } : {}),
    ...(src.subfolder ? { subfolder: src.subfolder } : {}),
  };
}

async function resolvePreset(
  name: string,
  src: Extract<ModelSource, { kind: 'preset' }>,
  ctx: Context,
): Promise<ResolvedModel> {
  const defaultSeed = src.seed ?? DEFAULT_INIT_SEED;
  const seed = ctx.opts.seed ?? defaultSeed;
  const cacheName = seed === defaultSeed ? name : `${name}-seed${seed}`;
  // The generated checkpoint is kept beside the exports: it is the source the export is checked against.
  const srcDir = path.join(ctx.modelsDir, '.sources', cacheName);
  const whole = ['config.json', 'model.safetensors', 'tokenizer.json'].every((f) =>
    existsSync(path.join(srcDir, f)),
  );
  // A copy generated before the preset's shape changed is regenerated (and so re-exported, its
  // config.json no longer being the export's), not reused.
  const stale =
    whole &&
    readFileSync(path.join(srcDir, 'config.json'), 'utf8') !== presetConfigJson(src.preset);
  if (!whole || stale) {
    const why = stale ? ' (the cached copy has an older config.json)' : '';
    ctx.progress({
      step: 'init',
      message: `generating ${src.preset} (seed ${seed}) in ${srcDir}${why}`,
    });
    await writeFolderAtomically(srcDir, (tmp) => initPreset(src.preset, tmp, { seed }));
  }
  const dir = path.join(ctx.modelsDir, cacheName);
  const m = await ensureExport({
    srcDir,
    dir,
    source: { preset: src.preset, seed },
    attentions: ctx.attentions,
    valueNorms: ctx.valueNorms,
    knockout: ctx.knockout,
    progress: ctx.progress,
  });
  return resolved(cacheName, 'preset', dir, { preset: src.preset, seed }, m, srcDir);
}

async function resolveLocal(
  name: string,
  folder: string,
  cacheName: string,
  ctx: Context,
): Promise<ResolvedModel> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ModelResolveError(`${name}: ${folder} is not a folder`);
  }
  if (existsSync(path.join(folder, MODEL_FILE))) {
    // An exported folder is used where it is; the user's folder is checked, never rewritten.
    const manifest = checkExportedFolder(folder);
    return {
      name,
      kind: 'export',
      dir: folder,
      source: {
        path: folder,
        ...(manifest?.source.repo ? { repo: manifest.source.repo } : {}),
        ...(manifest?.source.revision ? { revision: manifest.source.revision } : {}),
        ...(manifest?.source.subfolder ? { subfolder: manifest.source.subfolder } : {}),
      },
      sourceSha256: manifest ? recordedSha256(manifest) : {},
      modelType: manifest?.model_type ?? loadModelConfig(folder).modelType,
      exported: false,
    };
  }
  if (!existsSync(path.join(folder, 'config.json'))) {
    throw new ModelResolveError(
      `${name}: ${folder} is neither a checkpoint (config.json + *.safetensors) nor an exported folder (${MODEL_FILE})`,
    );
  }
  const dir = path.join(ctx.modelsDir, cacheName);
  const m = await ensureExport({
    srcDir: folder,
    dir,
    source: {},
    attentions: ctx.attentions,
    valueNorms: ctx.valueNorms,
    knockout: ctx.knockout,
    progress: ctx.progress,
  });
  return resolved(name, 'checkpoint', dir, { path: folder }, m, folder);
}

/** A bare word is a name; anything with a separator, or starting with "." or "~", is a path. */
function looksLikePath(s: string): boolean {
  return s.includes('/') || s.includes(path.sep) || s.startsWith('.') || s.startsWith('~');
}

/**
 * Resolves a registry name (llama, diffllama, tiny-llama, tiny-diffllama, registered ones) or the
 * path of a checkpoint / exported folder to an exported folder. First use pulls and exports into
 * the models cache; later uses reuse that export while its source is unchanged.
 */
export async function resolveModel(
  nameOrPath: string,
  opts: ResolveModelOptions = {},
): Promise<ResolvedModel> {
  const ctx: Context = {
    modelsDir: path.resolve(opts.modelsDir ?? modelsCacheDir()),
    opts,
    attentions: opts.attentions ?? true,
    valueNorms: opts.valueNorms ?? false,
    knockout: opts.knockout ?? false,
    progress: opts.onProgress ?? (() => {}),
  };
  const entry = looksLikePath(nameOrPath)
    ? undefined
    : (opts.registry?.[nameOrPath] ?? getRegisteredModel(nameOrPath));
  if (entry?.kind === 'hub') return resolveHub(nameOrPath, entry, ctx);
  if (entry?.kind === 'preset') return resolvePreset(nameOrPath, entry, ctx);
  if (entry?.kind === 'local')
    return resolveLocal(nameOrPath, path.resolve(entry.path), nameOrPath, ctx);

  const folder = resolveUserPath(nameOrPath);
  if (!looksLikePath(nameOrPath) && !existsSync(folder)) {
    throw new ModelResolveError(unknownModel(nameOrPath, Object.keys(opts.registry ?? {})));
  }
  // Local checkpoints are exported under .local/, keyed by their absolute path.
  const base = path.basename(folder).replace(/[^A-Za-z0-9._-]/g, '_') || 'model';
  const key = sha256Hex(folder).slice(0, 8);
  const cacheName = path.join(
    '.local',
    `${MODEL_NAME_PATTERN.test(base) ? base : `m${base}`}-${key}`,
  );
  return resolveLocal(path.basename(folder), folder, cacheName, ctx);
}
