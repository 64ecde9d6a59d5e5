// Exported bytes must not change when the graph IR gains type inference (graph.ts typeOf): the
// sha256 of model.onnx for golden checkpoints, recorded from main before inference was added.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256Hex } from '@exp/data';
import { buildDecoderGraph, type DecoderExportOptions } from '../src/arch/decoder.js';
import { Checkpoint } from '../src/checkpoint.js';
import { exportCheckpoint } from '../src/export.js';
import { encodeModel } from '../src/onnx/serialize.js';
import { FUSED_EXTERNAL, TEST_META } from './helpers/graph-variants.js';
import { goldenDir, type GoldenModel } from './helpers/shared.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-export-bytes-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const EXPORTED: Record<string, string> = {
  'tiny-llama': '8d4fd9a28297237f78b9e9a12911dc1a98b70c80b287f4339fd77540c8f2423e',
  'tiny-llama attentions': '7b4537ab2e679a73bef9cb72f977381bdb2243767e53e18acc1b89378ea4730e',
  'tiny-diffllama': 'f8a2e1f32fe82d428872c8bfdef4fa30eb4bf5a3c4fa913a1b89624a1ed9e234',
  'tiny-diffllama attentions': '8bdad41f92d959200e457c1ee62ab38e5be6927af97ea3795a96c4e30368bd79',
};

describe('exportCheckpoint model.onnx bytes', () => {
  it.each(Object.keys(EXPORTED))('%s', async (key) => {
    const [model, extra] = key.split(' ') as [GoldenModel, string | undefined];
    const dir = path.join(tmp, key.replace(' ', '-'));
    await exportCheckpoint(goldenDir(model), dir, { attentions: extra === 'attentions' });
    const hash = sha256Hex(readFileSync(path.join(dir, 'model.onnx')));
    expect(hash).toBe(EXPORTED[key]);
  });
});

// Graph variants exportCheckpoint does not reach (fp16, grouped, fused decode graphs).
const VARIANTS: [string, GoldenModel, DecoderExportOptions, string][] = [
  [
    'llama fp16',
    'tiny-llama',
    { dtype: 'fp16', attentions: true },
    '8609f02f00ffb3616ac51cd9bdd81c32473c8f398f51685a5a79f851c0c66c87',
  ],
  [
    'diffllama fp16',
    'tiny-diffllama',
    { dtype: 'fp16', attentions: true },
    '1dbd12981051f316d9769505f14eeaf62c4e8576d1d37de8bb4b1c1306990457',
  ],
  [
    'llama grouped',
    'tiny-llama',
    { attention: 'grouped' },
    '42b2c45c9d84d19ea6412e4efe54175306ad56794aa44164f10945159df8367f',
  ],
  [
    'diffllama grouped',
    'tiny-diffllama',
    { attention: 'grouped' },
    '8270e45c1e1c55455889eeb65bfd1919725bbd7a43103a7ef0fdd4277ae35b80',
  ],
  [
    'llama-tied fused external',
    'tiny-llama-tied',
    {
      ...FUSED_EXTERNAL,
      lastTokenLogits: true,
      argmax: true,
      penalizedArgmax: true,
      shareTiedHead: true,
    },
    '30d96a1618d69a134018aa2047dc24fe213b2593e5f8bd3307373f229adff9bc',
  ],
  [
    'diffllama-l3 fused external',
    'tiny-diffllama-l3',
    { ...FUSED_EXTERNAL, lastTokenLogits: true, argmax: true },
    '7bcaa6aae18e7d2f80a2dbd37326e2abd5e0092dbe4a5eddf4ec68846ae8323d',
  ],
];

describe('encodeModel bytes of decoder graph variants', () => {
  it.each(VARIANTS)('%s', (key, model, opts, want) => {
    const ckpt = Checkpoint.open(goldenDir(model));
    try {
      const g = buildDecoderGraph(ckpt, ckpt.config, opts);
      expect(sha256Hex(encodeModel(g, TEST_META))).toBe(want);
    } finally {
      ckpt.close();
    }
  });
});
