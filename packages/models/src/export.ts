// exportCheckpoint: HF checkpoint folder -> model folder with model.onnx (+ model.onnx.data),
// the checkpoint's config/tokenizer files and exp-model.json (provenance of the export).
import { createHash } from 'node:crypto';
import {
  chmodSync,
  createReadStream,
  existsSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Checkpoint } from './checkpoint.js';
import { ATTENTION_IMPLEMENTATIONS, type AttentionImplementation } from './arch/attention.js';
import { buildDecoderGraph, type ExportDtype } from './arch/decoder.js';
import { writeModel, DEFAULT_EXTERNAL_DATA_THRESHOLD } from './onnx/serialize.js';

/** ai.onnx opset and IR version of exported models (onnxruntime 1.30 accepts up to 26 / 13). */
export const EXPORT_OPSET = 21;
export const EXPORT_IR_VERSION = 10;
export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FILE = 'exp-model.json';

/** Checkpoint files copied into the model folder when present. */
export const COPIED_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
] as const;

export class ExportError extends Error {
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
  attention?: AttentionImplementation;
  /** Weight bytes above which weights go to model.onnx.data (default 2e9, the protobuf limit). */
  externalDataThreshold?: number;
  /** Where the checkpoint came from, recorded in exp-model.json when known. */
  source?: { repo?: string; revision?: string };
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
    config_sha256: z.string(),
    weight_files: z.array(z.object({ file: z.string(), bytes: z.number(), sha256: z.string() })),
  }),
  model_type: z.enum(['llama', 'diffllama']),
  dtype: z.enum(['fp32', 'fp16']),
  opset: z.number().int(),
  ir_version: z.number().int(),
  attentions: z.boolean(),
  attention: z.enum(ATTENTION_IMPLEMENTATIONS),
  external_data: z.boolean(),
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
});
export type ExpModelManifest = z.infer<typeof expModelManifestSchema>;

export interface ExportResult {
  outDir: string;
  modelPath: string;
  /** model.onnx.data, or null when the weights are inside model.onnx. */
  dataPath: string | null;
  manifest: ExpModelManifest;
}

function exporterInfo(): { name: string; version: string } {
  // package.json sits one level above both src/ (tests) and dist/ (built package).
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  return { name: pkg.name, version: pkg.version };
}

async function sha256File(file: string, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) {
    hash.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).byteLength);
  }
  return hash.digest('hex');
}

/**
 * Exports a Llama / DiffLlama checkpoint folder to an ONNX decoder with KV cache in `outDir`.
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
  const dst = path.resolve(outDir);
  if (srcDir === dst) throw new ExportError(`output folder ${dst} is the checkpoint folder`);

  progress({ stage: 'read', message: `reading ${srcDir}` });
  const ckpt = Checkpoint.open(srcDir);
  try {
    const config = ckpt.config;
    progress({ stage: 'build', message: `building ${config.modelType} graph (${dtype})` });
    const graph = buildDecoderGraph(ckpt, config, {
      dtype,
      attentions: opts.attentions ?? false,
      attention,
    });

    mkdirSync(dst, { recursive: true });
    const modelPath = path.join(dst, MODEL_FILE);
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
    const written = writeModel(
      graph,
      {
        irVersion: EXPORT_IR_VERSION,
        opsetImports: [{ domain: '', version: EXPORT_OPSET }],
        producerName: exporter.name,
        producerVersion: exporter.version,
        docString: `${config.modelType} decoder with KV cache exported from ${path.basename(srcDir)}`,
      },
      modelPath,
      { externalDataThreshold: opts.externalDataThreshold ?? DEFAULT_EXTERNAL_DATA_THRESHOLD },
    );
    // A data file left by an earlier export would be stale.
    const dataFile = `${modelPath}.data`;
    if (!written.dataPath && existsSync(dataFile)) rmSync(dataFile);

    for (const f of COPIED_FILES) {
      const from = path.join(srcDir, f);
      if (existsSync(from)) {
        progress({ stage: 'copy', message: f });
        const to = path.join(dst, f);
        // Source files may be read-only (a hub cache, shared data); the copies must stay writable.
        rmSync(to, { force: true });
        copyFileSync(from, to);
        chmodSync(to, 0o644);
      }
    }

    const hashTotal = ckpt.weightFiles.reduce((a, f) => a + statSync(f).size, 0);
    let hashed = 0;
    const weightFiles = [];
    for (const file of ckpt.weightFiles) {
      const sha256 = await sha256File(file, (n) => {
        hashed += n;
        progress({ stage: 'hash', message: path.basename(file), done: hashed, total: hashTotal });
      });
      weightFiles.push({ file: path.basename(file), bytes: statSync(file).size, sha256 });
    }
    const configBytes = readFileSync(path.join(srcDir, 'config.json'));
    const manifest: ExpModelManifest = {
      format: 'exp-model',
      format_version: 1,
      exporter,
      source: {
        dir: srcDir,
        ...(opts.source?.repo ? { repo: opts.source.repo } : {}),
        ...(opts.source?.revision ? { revision: opts.source.revision } : {}),
        config_sha256: createHash('sha256').update(configBytes).digest('hex'),
        weight_files: weightFiles,
      },
      model_type: config.modelType,
      dtype,
      opset: EXPORT_OPSET,
      ir_version: EXPORT_IR_VERSION,
      attentions: opts.attentions ?? false,
      attention,
      external_data: written.dataPath !== null,
      inputs: graph.inputs.map((i) => i.name),
      outputs: graph.outputs.map((o) => o.name),
    };
    writeFileSync(path.join(dst, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    progress({ stage: 'done', message: modelPath });
    return { outDir: dst, modelPath, dataPath: written.dataPath, manifest };
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
