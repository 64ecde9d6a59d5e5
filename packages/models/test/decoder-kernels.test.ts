// The kernel-strategy table (src/arch/kernels.ts): the plain set emits standard ONNX ops only
// (what is exported and what training differentiates), the fused set the com.microsoft kernels
// and packed weights; and graph variants the byte test does not reach keep the bytes they had
// before the blocks moved into the table (sha256 recorded on the commit before it).
import { sha256Hex } from '@exp/data';
import {
  buildDecoderGraph,
  decoderOpsets,
  type DecoderExportOptions,
} from '../src/arch/decoder.js';
import { DECODER_KERNEL_NAMES, DECODER_KERNELS } from '../src/arch/kernels.js';
import { Checkpoint } from '../src/checkpoint.js';
import type { GraphBuilder } from '../src/onnx/graph.js';
import { encodeModel } from '../src/onnx/serialize.js';
import { TEST_META } from './helpers/graph-variants.js';
import { goldenDir, type GoldenModel } from './helpers/shared.js';

/** `read` of the decoder graph a golden checkpoint builds with `opts`. */
function withGraph<T>(
  model: GoldenModel,
  opts: DecoderExportOptions,
  read: (g: GraphBuilder) => T,
): T {
  const ckpt = Checkpoint.open(goldenDir(model));
  try {
    return read(buildDecoderGraph(ckpt, ckpt.config, opts));
  } finally {
    ckpt.close();
  }
}

/** The op types (domain-qualified when not the default) of a decoder graph. */
const opTypes = (model: GoldenModel, opts: DecoderExportOptions): Set<string> =>
  withGraph(
    model,
    opts,
    (g) => new Set(g.nodes.map((n) => (n.domain ? `${n.domain}.${n.opType}` : n.opType))),
  );

const FUSED_OPS = [
  'SimplifiedLayerNormalization',
  'com.microsoft.SkipSimplifiedLayerNormalization',
  'com.microsoft.RotaryEmbedding',
];

describe('DECODER_KERNELS', () => {
  it('has one kernel set per option value', () => {
    expect(Object.keys(DECODER_KERNELS).sort()).toEqual([...DECODER_KERNEL_NAMES].sort());
  });

  it('asks for com.microsoft only with fused kernels', () => {
    expect(decoderOpsets({}, 21)).toEqual([{ domain: '', version: 21 }]);
    expect(decoderOpsets({ kernels: 'plain' }, 21)).toEqual([{ domain: '', version: 21 }]);
    expect(decoderOpsets({ kernels: 'fused' }, 21)).toEqual([
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ]);
  });

  it.each(['tiny-llama', 'tiny-diffllama'] as const)(
    '%s: plain graphs use default-domain ops only, fused ones the contrib kernels',
    (model) => {
      for (const attention of ['eager', 'grouped'] as const) {
        const plain = opTypes(model, { attention });
        expect([...plain].filter((t) => t.includes('.') || FUSED_OPS.includes(t))).toEqual([]);
        const fused = opTypes(model, { attention, kernels: 'fused', maxPositions: 32 });
        for (const op of FUSED_OPS) expect(fused).toContain(op);
        expect(fused).not.toContain('Pow'); // every norm is a contrib kernel
      }
    },
  );

  it('refuses fp16 and a missing maxPositions for fused kernels', () => {
    const ckpt = Checkpoint.open(goldenDir('tiny-llama'));
    try {
      expect(() =>
        buildDecoderGraph(ckpt, ckpt.config, { kernels: 'fused', dtype: 'fp16', maxPositions: 8 }),
      ).toThrow('fused kernels are float32 only');
      expect(() => buildDecoderGraph(ckpt, ckpt.config, { kernels: 'fused' })).toThrow(
        'fused kernels need maxPositions (rows of the RoPE tables)',
      );
    } finally {
      ckpt.close();
    }
  });
});

const FUSED = { kernels: 'fused', maxPositions: 64 } as const;
const VARIANTS: [string, GoldenModel, DecoderExportOptions, string][] = [
  [
    'llama fused eager present',
    'tiny-llama',
    { ...FUSED, attentions: true },
    'befcc7b67276e0b48b28b5e06be3a2f7a3a0cc127efa495ddb1aeb4548abedb0',
  ],
  [
    'diffllama fused eager present',
    'tiny-diffllama',
    { ...FUSED, attentions: true },
    '46dd2755306b9f290472bb85ba27537c632021ff5fa334532a9d33987af5aec5',
  ],
  [
    'llama-l3 fused grouped present',
    'tiny-llama-l3',
    { ...FUSED, attention: 'grouped' },
    '877d7a5e24a66892ef034d4361807b9412c01cbc8afc2c2cc80784e358e0ad1c',
  ],
  [
    'llama-tied plain grouped external',
    'tiny-llama-tied',
    {
      attention: 'grouped',
      kvCache: 'external',
      lastTokenLogits: true,
      argmax: true,
      penalizedArgmax: true,
      shareTiedHead: true,
    },
    '9b5de8167cec9465f758adbc570c0f7b2753e920f1e3987df1b87865f1a9d56c',
  ],
  [
    'diffllama-l3 plain fp16 eager external',
    'tiny-diffllama-l3',
    { dtype: 'fp16', kvCache: 'external', attentions: true },
    '1675c91a6fa2eb1f4f8aba247d6dbdfd7395719110d036acbd56fc56a4a3775e',
  ],
];

describe('encodeModel bytes of kernel-set variants', () => {
  it.each(VARIANTS)('%s', (_key, model, opts, want) => {
    expect(withGraph(model, opts, (g) => sha256Hex(encodeModel(g, TEST_META)))).toBe(want);
  });
});
