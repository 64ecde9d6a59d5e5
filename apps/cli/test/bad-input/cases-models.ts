// Bad input of the models commands (see case.ts): files that are not safetensors, truncated,
// corrupted and mismatched checkpoints, golden files of another model, stale export folders,
// --out paths that cannot be a folder, and setup --cuda without network.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { MAIN, type BadInputCase, type CaseContext } from './case.js';

const LLAMA = 'tiny-llama';
const ckpt = (c: CaseContext) => path.join(c.tmp, 'ckpt');
const weights = (c: CaseContext) => path.join(ckpt(c), 'model.safetensors');
const goldenOf = (c: CaseContext, model = LLAMA) =>
  path.join(c.golden, model, 'golden.safetensors');
const out = (c: CaseContext) => path.join(c.tmp, 'out');
const exported = (c: CaseContext) => path.join(c.tmp, 'exported');

/** tmp/ckpt: a copy of a golden checkpoint (config.json + model.safetensors). */
function copyCheckpoint(c: CaseContext, model = LLAMA): void {
  mkdirSync(ckpt(c), { recursive: true });
  for (const f of ['config.json', 'model.safetensors']) {
    copyFileSync(path.join(c.golden, model, f), path.join(ckpt(c), f));
  }
}

/** Rewrites the safetensors header of tmp/ckpt/model.safetensors (the data stays as it is). */
function editHeader(c: CaseContext, edit: (h: Record<string, unknown>) => void): void {
  const bytes = readFileSync(weights(c));
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(weights(c), Buffer.concat([len, json, bytes.subarray(8 + n)]));
}

function editConfig(c: CaseContext, edit: (cfg: Record<string, unknown>) => void): void {
  const file = path.join(ckpt(c), 'config.json');
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(cfg);
  writeFileSync(file, JSON.stringify(cfg, null, 2));
}

/** tmp/exported: a real export of tiny-llama (the built CLI, as a user would make it). */
function exportLlama(c: CaseContext, dir = exported(c), dtype = 'fp32'): void {
  const r = spawnSync(
    process.execPath,
    [MAIN, 'models', 'export', '--checkpoint', llamaDir(c), '--out', dir, '--dtype', dtype],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  if (r.status !== 0) throw new Error(`setup export failed: ${r.stderr}`);
}

const exportCmd = (checkpoint: string, outDir: string) => [
  ...['models', 'export', '--checkpoint', checkpoint],
  ...['--out', outDir],
];
const verifyCmd = (checkpoint: string, golden: string) => [
  ...['models', 'verify', '--checkpoint', checkpoint],
  ...['--golden', golden],
];
const exportArgs = (c: CaseContext) => exportCmd(ckpt(c), out(c));
const verifyArgs = (c: CaseContext) => verifyCmd(ckpt(c), goldenOf(c));
const llamaDir = (c: CaseContext) => path.join(c.golden, LLAMA);
const notes = (c: CaseContext) => path.join(c.tmp, 'notes.txt');
const jsonl = (c: CaseContext) => path.join(c.tmp, 'golden.jsonl');

const truncatedCheckpoint = (c: CaseContext) => {
  copyCheckpoint(c);
  truncateSync(weights(c), Math.floor(statSync(weights(c)).size / 2));
};
const mismatchedCheckpoint = (c: CaseContext) => {
  copyCheckpoint(c);
  copyFileSync(
    path.join(c.golden, 'tiny-diffllama', 'config.json'),
    path.join(ckpt(c), 'config.json'),
  );
};
const TRUNCATED =
  /^error: \S+\/ckpt\/model\.safetensors: truncated file: tensor '[\w.]+': data_offsets \[\d+, \d+\] run past the data section/;
const MISMATCHED =
  /^error: \S+\/ckpt: config\.json says model_type diffllama, but the weights \(model\.safetensors\) are llama's/;

export const MODELS_CASES: readonly BadInputCase[] = [
  {
    name: 'models verify --golden <a JSONL file>',
    setup: (c) => writeFileSync(jsonl(c), '{"question": "1+1?", "answer": "2"}\n'),
    args: (c) => verifyCmd(llamaDir(c), jsonl(c)),
    code: 1,
    stderr:
      /^error: \S+\/golden\.jsonl: not a safetensors file \(header length \d+ is larger than the file, 36 bytes\)$/,
    untouched: (c) => [jsonl(c)],
  },
  {
    name: 'models export: model.safetensors is a JSONL file',
    setup: (c) => {
      copyCheckpoint(c);
      writeFileSync(weights(c), '{"question": "1+1?", "answer": "2"}\n');
    },
    args: exportArgs,
    code: 1,
    stderr:
      /^error: \S+\/ckpt\/model\.safetensors: not a safetensors file \(header length \d+ is larger than the file, 36 bytes\)$/,
    absent: (c) => [out(c)],
  },
  {
    name: 'models export: model.safetensors cut in half',
    setup: truncatedCheckpoint,
    args: exportArgs,
    code: 1,
    stderr: TRUNCATED,
    untouched: (c) => [weights(c)],
    absent: (c) => [out(c)],
  },
  {
    name: 'models verify: model.safetensors cut in half',
    setup: truncatedCheckpoint,
    args: verifyArgs,
    code: 1,
    stderr: TRUNCATED,
  },
  {
    name: 'models export: bytes overwritten in the safetensors JSON header',
    setup: (c) => {
      copyCheckpoint(c);
      const b = readFileSync(weights(c));
      b.write('}}}}', 8); // the header's opening brace and what follows
      writeFileSync(weights(c), b);
    },
    args: exportArgs,
    code: 1,
    stderr:
      /^error: \S+\/ckpt\/model\.safetensors: not a safetensors file, or a corrupted one \(invalid JSON header: .+\)$/,
    absent: (c) => [out(c)],
  },
  {
    name: 'models export: safetensors header length overwritten',
    setup: (c) => {
      copyCheckpoint(c);
      const b = readFileSync(weights(c));
      b[5] = 0xff;
      writeFileSync(weights(c), b);
    },
    args: exportArgs,
    code: 1,
    stderr:
      /^error: \S+\/ckpt\/model\.safetensors: not a safetensors file \(header length \d+ is larger than the file, \d+ bytes\)$/,
    absent: (c) => [out(c)],
  },
  {
    name: 'models export: config.json intermediate_size differs from the weights',
    setup: (c) => {
      copyCheckpoint(c);
      editConfig(c, (cfg) => (cfg.intermediate_size = 200));
    },
    args: exportArgs,
    code: 1,
    stderr:
      /^error: \S+\/ckpt\/model\.safetensors: tensor 'model\.layers\.0\.mlp\.gate_proj\.weight' has shape \[176, 64\], \S+\/ckpt\/config\.json implies \[200, 64\]$/,
    absent: (c) => [out(c)],
  },
  {
    name: 'models export: a weight missing from model.safetensors',
    setup: (c) => {
      copyCheckpoint(c);
      editHeader(c, (h) => delete h['model.layers.1.mlp.up_proj.weight']);
    },
    args: exportArgs,
    code: 1,
    stderr:
      /^error: \S+\/ckpt: checkpoint has no tensor 'model\.layers\.1\.mlp\.up_proj\.weight' in model\.safetensors$/,
    absent: (c) => [out(c)],
  },
  {
    name: 'models export: diffllama config.json beside llama weights',
    setup: mismatchedCheckpoint,
    args: exportArgs,
    code: 1,
    stderr: MISMATCHED,
    absent: (c) => [out(c)],
  },
  {
    name: 'models verify: diffllama config.json beside llama weights',
    setup: mismatchedCheckpoint,
    args: verifyArgs,
    code: 1,
    stderr: MISMATCHED,
  },
  {
    name: 'models verify: tiny-llama against the tiny-diffllama golden file',
    args: (c) => verifyCmd(llamaDir(c), goldenOf(c, 'tiny-diffllama')),
    code: 1,
    stderr:
      /^error: \S+\/tiny-diffllama\/golden\.safetensors: the golden file is for diffllama, the model is llama$/,
  },
  {
    name: 'models verify: tiny-llama against the 4-layer tiny-llama-l3 golden file',
    args: (c) => verifyCmd(llamaDir(c), goldenOf(c, 'tiny-llama-l3')),
    code: 1,
    stderr:
      /^error: \S+\/tiny-llama-l3\/golden\.safetensors: the golden file is for a llama with 4 layers, the model has 2$/,
  },
  {
    name: 'models verify: exported folder whose model.onnx was truncated',
    setup: (c) => {
      exportLlama(c);
      const onnx = path.join(exported(c), 'model.onnx');
      truncateSync(onnx, Math.floor(statSync(onnx).size / 2));
    },
    args: (c) => verifyCmd(exported(c), goldenOf(c)),
    code: 1,
    stderr:
      /^error: model folder \S+\/exported does not match its exp-model\.json: model\.onnx has \d+ bytes, \d+ recorded; export it again$/,
    untouched: (c) => [path.join(exported(c), 'model.onnx')],
  },
  {
    name: "models verify: exported folder with another export's exp-model.json",
    setup: (c) => {
      exportLlama(c);
      exportLlama(c, path.join(c.tmp, 'fp16'), 'fp16');
      copyFileSync(
        path.join(c.tmp, 'fp16', 'exp-model.json'),
        path.join(exported(c), 'exp-model.json'),
      );
    },
    args: (c) => verifyCmd(exported(c), goldenOf(c)),
    code: 1,
    stderr:
      /^error: model folder \S+\/exported does not match its exp-model\.json: model\.onnx has \d+ bytes, \d+ recorded/,
  },
  {
    name: 'models export --checkpoint <an exported folder>',
    setup: (c) => exportLlama(c),
    args: (c) => exportCmd(exported(c), out(c)),
    code: 1,
    stderr:
      /^error: \S+\/exported: no model\.safetensors or model\.safetensors\.index\.json; it has model\.onnx, so it is an exported model folder, not a checkpoint$/,
    absent: (c) => [out(c)],
  },
  {
    name: 'models export --out <a file>',
    setup: (c) => writeFileSync(notes(c), 'keep me\n'),
    args: (c) => exportCmd(llamaDir(c), notes(c)),
    code: 1,
    stderr: /^error: output folder \S+\/notes\.txt is a file; name a new folder/,
    untouched: (c) => [notes(c)],
  },
  {
    name: 'models export --out <under a file> (ENOTDIR)',
    setup: (c) => writeFileSync(notes(c), 'keep me\n'),
    args: (c) => exportCmd(llamaDir(c), path.join(notes(c), 'model')),
    code: 1,
    stderr:
      /^error: output folder \S+\/notes\.txt\/model cannot be made: \S+\/notes\.txt is a file, not a folder$/,
    untouched: (c) => [notes(c)],
  },
  {
    name: 'setup --cuda offline (NuGet unreachable)',
    // install.js honours global-agent's proxy variable: a closed local port makes it fail fast.
    env: () => ({
      GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9',
      GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9',
    }),
    args: () => ['setup', '--cuda'],
    code: 1,
    stderr:
      /^error: setup --cuda: onnxruntime-node's CUDA install script failed \(exit 1: .*ECONNREFUSED.*\); it needs network access to NuGet/,
  },
];
