// Decoder graph options and model metadata shared by the tests that build graphs in memory.
import type { DecoderExportOptions } from '../../src/arch/decoder.js';
import type { ModelMeta } from '../../src/onnx/serialize.js';

/** The runtime's decode-graph layout: fused kernels, grouped attention, external KV cache. */
export const FUSED_EXTERNAL: DecoderExportOptions = {
  kernels: 'fused',
  attention: 'grouped',
  kvCache: 'external',
  maxPositions: 64,
};

/** Metadata for encodeModel with both the ai.onnx and com.microsoft opsets. */
export const TEST_META: ModelMeta = {
  irVersion: 10,
  opsetImports: [
    { domain: '', version: 21 },
    { domain: 'com.microsoft', version: 1 },
  ],
  producerName: 'test',
  producerVersion: '0',
};
