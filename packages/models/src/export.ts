// exportCheckpoint: HF checkpoint folder -> model folder with model.onnx (+ model.onnx.data),
// the checkpoint's config/tokenizer files and exp-model.json (provenance of the export).
import {
  chmodSync,
  existsSync,
  copyFileSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { sha256Hex, ExpError } from '@exp/data';
import { z } from 'zod';
import { Checkpoint } from './checkpoint.js';
import { ATTENTION_IMPLEMENTATIONS, type AttentionImplementation } from './arch/attention.js';
import { buildDecoderGraph, type ExportDtype } from './arch/decoder.js';
import { writeModel, DEFAULT_EXTERNAL_DATA_THRESHOLD } from './onnx/serialize.js';
import { writeFolderAtomically } from './registry/atomic-folder.js';
import { sampleSha256File, sha256File } from './registry/file-hash.js';

/** ai.onnx opset and IR version of exported models (onnxruntime 1.30 accepts up to 26 / 13). */
export const EXPORT_OPSET = 21;
export const EXPORT_IR_VERSION = 10;
export const MODEL_FILE = 'model.onnx';
export const MODEL_DATA_FILE = 'model.onnx.data';
export const MANIFEST_FILE = 'exp-model.json';

/** Checkpoint files copied into the model folder when present. */
export const COPIED_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
] as const;

export class ExportError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export interface ExportProgress {
  stage: 'read' | 'build' | 'write' | 'copy' | 'hash' | 'done';
  message: string;
  /** Bytes done / total, where the stage has a size (write, hash). */
  done?: number;
  total?: number;
}

export interface ExportOptions {
  dtype?: ExportDtype;
  /** Add attentions.{i} (and lambda_full.{i} for DiffLlama) outputs. */
  attentions?: boolean;
  /** Add value_norms.{i} outputs: per head ‖W_O^h v_j‖ of every key (norm-based attention analysis). */
  valueNorms?: boolean;
  attention?: AttentionImplementation;
  /**
   * Add the attention-knockout inputs knockout_keys / knockout_from_layer (arch/knockout.ts):
   * CausalLM.forward({ knockout }) and knockout generation on the 'present' path need them.
   */
  knockout?: boolean;
  /** Weight bytes above which weights go to model.onnx.data (default 2e9, the protobuf limit). */
  externalDataThreshold?: number;
  /** Where the checkpoint came from, recorded in exp-model.json when known. */
  source?: { repo?: string; revision?: string; subfolder?: string; preset?: string; seed?: number };
  onProgress?: (p: ExportProgress) => void;
}

export const expModelManifestSchema = z.object({
  format: z.literal('exp-model'),
  format_version: z.literal(1),
  exporter: z.object({ name: z.string(), version: z.string() }),
  source: z.object({
    dir: z.string(),
    repo: z.string().optional(),
    revision: z.string().optional(),
    subfolder: z.string().optional(),
    preset: z.string().optional(),
    seed: z.number().int().optional(),
    config_sha256: z.string(),
    weight_files: z.array(z.object({ file: z.string(), bytes: z.number(), sha256: z.string() })),
  }),
  model_type: z.enum(['llama', 'diffllama']),
  dtype: z.enum(['fp32', 'fp16']),
  opset: z.number().int(),
  ir_version: z.number().int(),
  attentions: z.boolean(),
  /** Present (true) only in exports with the knockout inputs. */
  knockout: z.boolean().optional(),
  /** value_norms.{i} outputs; written only when true (absent in older folders). */
  value_norms: z.boolean().optional(),
  attention: z.enum(ATTENTION_IMPLEMENTATIONS),
  external_data: z.boolean(),
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
  /**
   * Every file the export wrote but this manifest, as written: the folder check compares sizes,
   * sha256 of small files and sample_sha256 (see registry/file-hash.ts) of large ones. Absent in
   * folders exported before it was recorded.
   */
  files: z
    .array(
      z.object({
        file: z.string(),
        bytes: z.number().int(),
        sha256: z.string(),
        sample_sha256: z.string(),
      }),
    )
    .optional(),
});
export type ExpModelManifest = z.infer<typeof expModelManifestSchema>;

export interface ExportResult {
  outDir: string;
  modelPath: string;
  /** model.onnx.data, or null when the weights are inside model.onnx. */
  dataPath: string | null;
  manifest: ExpModelManifest;
}

/** The exporting package and its version, as recorded in exp-model.json. */
export function exporterInfo(): { name: string; version: string } {
  // package.json sits one level above both src/ (tests) and dist/ (built package).
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  return { name: pkg.name, version: pkg.version };
}

/** Names an export writes into its folder; anything else there is not ours to replace. */
const EXPORT_FILES = new Set<string>([MODEL_FILE, MODEL_DATA_FILE, MANIFEST_FILE, ...COPIED_FILES]);

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The folder `outDir` names, checked to be replaceable: the export swaps the whole folder, so it
 * must be missing, empty or hold only files an export writes.
 */
function replaceableOutDir(srcDir: string, outDir: string): string {
  let dst = path.resolve(outDir);
  if (existsSync(dst)) {
    dst = realpathSync(dst);
    if (!statSync(dst).isDirectory()) {
      throw new ExportError(
        `output folder ${dst} is a file; name a new folder (or an earlier export to replace)`,
      );
    }
  } else {
    // The first existing ancestor must be a folder, or the folder cannot be made (ENOTDIR).
    let up = path.dirname(dst);
    while (!existsSync(up) && path.dirname(up) !== up) up = path.dirname(up);
    if (existsSync(up) && !statSync(up).isDirectory()) {
      throw new ExportError(`output folder ${dst} cannot be made: ${up} is a file, not a folder`);
    }
  }
  const src = existsSync(srcDir) ? realpathSync(srcDir) : srcDir;
  if (src === dst) throw new ExportError(`output folder ${dst} is the checkpoint folder`);
  if (isInside(src, dst)) {
    throw new ExportError(`output folder ${dst} contains the checkpoint folder ${src}`);
  }
  if (existsSync(dst)) {
    const foreign = readdirSync(dst).filter((f) => !EXPORT_FILES.has(f));
    if (foreign.length > 0) {
      throw new ExportError(
        `output folder ${dst} holds files an export does not write (${foreign.slice(0, 3).join(', ')}); export into a new or empty folder`,
      );
    }
  }
  return dst;
}

/**
 * Exports a Llama / DiffLlama checkpoint folder to an ONNX decoder with KV cache in `outDir`.
 * The folder is written elsewhere and renamed into place when complete (registry/atomic-folder.ts):
 * a failed or interrupted export leaves `outDir` as it was.
 * Throws ConfigError / CheckpointError / SafetensorsError / WeightShapeError for bad input.
 */
export async function exportCheckpoint(
  checkpointDir: string,
  outDir: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const progress = opts.onProgress ?? (() => {});
  const dtype = opts.dtype ?? 'fp32';
  const attention = opts.attention ?? 'eager';
  if (!['fp32', 'fp16'].includes(dtype)) {
    throw new ExportError(`dtype '${dtype}' is not supported (supported: fp32, fp16)`);
  }
  if (!ATTENTION_IMPLEMENTATIONS.includes(attention)) {
    throw new ExportError(
      `attention '${attention}' is not supported (supported: ${ATTENTION_IMPLEMENTATIONS.join(', ')})`,
    );
  }
  const srcDir = path.resolve(checkpointDir);
  const dst = replaceableOutDir(srcDir, outDir);

  progress({ stage: 'read', message: `reading ${srcDir}` });
  const ckpt = Checkpoint.open(srcDir);
  try {
    const config = ckpt.config;
    progress({ stage: 'build', message: `building ${config.modelType} graph (${dtype})` });
    const graph = buildDecoderGraph(ckpt, config, {
      dtype,
      attentions: opts.attentions ?? false,
      ...(opts.valueNorms ? { valueNorms: true } : {}),
      attention,
      knockout: opts.knockout ?? false,
    });
    // Report write progress as each lazy weight is read and written.
    const total = graph.initializerBytes;
    let done = 0;
    for (const init of graph.initializers.splice(0)) {
      graph.initializers.push({
        ...init,
        load: () => {
          const bytes = init.load();
          done += bytes.byteLength;
          progress({ stage: 'write', message: init.name, done, total });
          return bytes;
        },
      });
    }
    const exporter = exporterInfo();

    const manifest = await writeFolderAtomically(dst, async (tmp) => {
      const written = writeModel(
        graph,
        {
          irVersion: EXPORT_IR_VERSION,
          opsetImports: [{ domain: '', version: EXPORT_OPSET }],
          producerName: exporter.name,
          producerVersion: exporter.version,
          docString: `${config.modelType} decoder with KV cache exported from ${path.basename(srcDir)}`,
        },
        path.join(tmp, MODEL_FILE),
        { externalDataThreshold: opts.externalDataThreshold ?? DEFAULT_EXTERNAL_DATA_THRESHOLD },
      );
      for (const f of COPIED_FILES) {
        const from = path.join(srcDir, f);
        if (existsSync(from)) {
          progress({ stage: 'copy', message: f });
          const to = path.join(tmp, f);
          copyFileSync(from, to);
          // Source files may be read-only (a hub cache, shared data); the copies must stay writable.
          chmodSync(to, 0o644);
        }
      }

      const outputs = [MODEL_FILE, MODEL_DATA_FILE, ...COPIED_FILES].filter((f) =>
        existsSync(path.join(tmp, f)),
      );
      const hashed = [...ckpt.weightFiles, ...outputs.map((f) => path.join(tmp, f))];
      const hashTotal = hashed.reduce((a, f) => a + statSync(f).size, 0);
      let hashedBytes = 0;
      const hashOf = (file: string) =>
        sha256File(file, (n) => {
          hashedBytes += n;
          progress({
            stage: 'hash',
            message: path.basename(file),
            done: hashedBytes,
            total: hashTotal,
          });
        });
      const weightFiles = [];
      for (const file of ckpt.weightFiles) {
        weightFiles.push({
          file: path.basename(file),
          bytes: statSync(file).size,
          sha256: await hashOf(file),
        });
      }
      const files = [];
      for (const f of outputs) {
        const file = path.join(tmp, f);
        files.push({
          file: f,
          bytes: statSync(file).size,
          sha256: await hashOf(file),
          sample_sha256: sampleSha256File(file),
        });
      }
      const configBytes = readFileSync(path.join(srcDir, 'config.json'));
      const source = opts.source ?? {};
      const m: ExpModelManifest = {
        format: 'exp-model',
        format_version: 1,
        exporter,
        source: {
          dir: srcDir,
          ...(source.repo ? { repo: source.repo } : {}),
          ...(source.revision ? { revision: source.revision } : {}),
          ...(source.subfolder ? { subfolder: source.subfolder } : {}),
          ...(source.preset ? { preset: source.preset } : {}),
          ...(source.seed !== undefined ? { seed: source.seed } : {}),
          config_sha256: sha256Hex(configBytes),
          weight_files: weightFiles,
        },
        model_type: config.modelType,
        dtype,
        opset: EXPORT_OPSET,
        ir_version: EXPORT_IR_VERSION,
        attentions: opts.attentions ?? false,
        ...(opts.knockout ? { knockout: true } : {}),
        ...(opts.valueNorms ? { value_norms: true } : {}),
        attention,
        external_data: written.dataPath !== null,
        inputs: graph.inputs.map((i) => i.name),
        outputs: graph.outputs.map((o) => o.name),
        files,
      };
      // Written last: a folder with exp-model.json is a finished export.
      writeFileSync(path.join(tmp, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`);
      return m;
    });
    // Paths as the caller named them (dst is the real folder behind any symlink).
    const out = path.resolve(outDir);
    const modelPath = path.join(out, MODEL_FILE);
    progress({ stage: 'done', message: modelPath });
    return {
      outDir: out,
      modelPath,
      dataPath: manifest.external_data ? path.join(out, MODEL_DATA_FILE) : null,
      manifest,
    };
  } finally {
    ckpt.close();
  }
}

/** Reads and validates `<modelDir>/exp-model.json`. */
export function readExpModelManifest(modelDir: string): ExpModelManifest {
  const file = path.join(modelDir, MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ExportError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const r = expModelManifestSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ExportError(`${file}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}
