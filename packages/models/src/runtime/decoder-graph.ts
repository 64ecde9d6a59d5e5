// A Llama / DiffLlama decoder graph written straight with onnx-proto, for the runtime's fast
// generation path.
//
// Why this exists next to the exporter (src/export.ts): the exported model.onnx follows the
// optimum convention (past_key_values.* in, present.* out), so every decode step hands the whole
// KV cache back to JS, and onnxruntime-node copies every output into a fresh ArrayBuffer. The
// 'external' variant built here keeps the cache in buffers that JS owns and onnxruntime only reads
// (inputs are wrapped without a copy): the graph returns the new keys/values of the step
// (kv_new.*), JS writes them into the cache, and attention runs over past slots and new tokens
// as two matmuls whose scores meet in one softmax, so no tensor of cache size is ever written.
// The 'present' variant is the standard convention, kept as a reference for tests.
// Other speed-ups, all measured: logits of the last position only (prefill), an ArgMax output
// (greedy steps fetch ids, not [B, V] logits), fused q/k/v and gate/up MatMuls, RoPE and
// residual+RMSNorm as com.microsoft kernels, 1/sqrt(d) folded into W_q.
// Weights come from the exported model.onnx (state-dict names) or a checkpoint. If the exporter
// gains this layout as an option, the runtime can load it from the model folder instead.
import onnxProto from 'onnx-proto';
import { lambdaInit } from '../arch/diffllama.js';
import { ropeInvFreq } from '../arch/rope.js';
import type { ModelConfig } from '../config.js';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;
const MS = 'com.microsoft';

/**
 * 'present': inputs past_key_values.{i}.key|value [B,KV,P,D], outputs present.{i}.key|value.
 * 'external': inputs kv_cache.{i}.key|value [B,KV,C,D] (C cache slots, masked by attention_mask),
 * outputs kv_new.{i}.key|value [B,KV,S,D] (keys after RoPE).
 */
export type KvIo = 'present' | 'external';

export interface DecoderGraphOptions {
  kvIo: KvIo;
  /** logits only for the last position ([B,1,V]); generation never needs the others. */
  lastTokenLogits: boolean;
  /** Rows of the RoPE cos/sin tables: positions must stay below this. */
  maxPositions: number;
  /** Tied embeddings: let the LM head read the embedding (no transposed copy; slower at batch 1). */
  shareTiedHead?: boolean;
}

/** HF state-dict name -> float32 data ([out, in] for linear weights). */
export type WeightSource = (name: string) => Float32Array;

export const EXTERNAL_KV_INPUT = (layer: number, kind: 'key' | 'value'): string =>
  `kv_cache.${layer}.${kind}`;
export const EXTERNAL_KV_OUTPUT = (layer: number, kind: 'key' | 'value'): string =>
  `kv_new.${layer}.${kind}`;

/** int64 [B, S]: argmax of the logits over the vocabulary. */
export const ARGMAX_OUTPUT = 'next_token';

type Attr = { name: string; i?: number; f?: number; ints?: number[] };

class Builder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private counter = 0;

  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  op(opType: string, inputs: string[], attrs: Attr[] = [], nOut = 1, domain = ''): string[] {
    const outputs = Array.from({ length: nOut }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        domain,
        input: inputs,
        output: outputs,
        name: this.fresh(`n_${opType}`),
        attribute: attrs.map((a) =>
          a.ints !== undefined
            ? onnx.AttributeProto.create({ name: a.name, type: AT.INTS, ints: a.ints })
            : a.f !== undefined
              ? onnx.AttributeProto.create({ name: a.name, type: AT.FLOAT, f: a.f })
              : onnx.AttributeProto.create({ name: a.name, type: AT.INT, i: a.i }),
        ),
      }),
    );
    return outputs;
  }

  op1(opType: string, inputs: string[], attrs: Attr[] = []): string {
    return this.op(opType, inputs, attrs)[0]!;
  }

  /** Renames the output of the last node, to expose it as a graph output. */
  nameLast(name: string): string {
    const node = this.nodes[this.nodes.length - 1]!;
    node.output = [name];
    return name;
  }

  floats(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dataType: DT.FLOAT,
        dims,
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      }),
    );
    return name;
  }

  ints(name: string, values: number[], dims: number[] = [values.length]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dataType: DT.INT64,
        dims,
        rawData: new Uint8Array(data.buffer),
      }),
    );
    return name;
  }
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
}

/** [out, in] -> [in, out], so MatMul(x, W^T) needs no transpose at run time. */
function transpose2d(w: Float32Array, rows: number, cols: number, name: string): Float32Array {
  if (w.length !== rows * cols) {
    throw new Error(`weight ${name}: expected ${rows}x${cols} values, got ${w.length}`);
  }
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  }
  return out;
}

const MASK_MIN = -3.4028234663852886e38; // torch.finfo(float32).min, as HF's eager mask

/** cos/sin tables [positions, D/2] for com.microsoft.RotaryEmbedding, rounded like HF's float32 math. */
function ropeTables(invFreq: Float32Array, positions: number): [Float32Array, Float32Array] {
  const half = invFreq.length;
  const cos = new Float32Array(positions * half);
  const sin = new Float32Array(positions * half);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * invFreq[i]!); // HF: float32 inv_freq @ float32 positions
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return [cos, sin];
}

/** Stacks [rows_i, cols] matrices (HF [out, in] weights) into one [sum rows, cols] matrix. */
function stackRows(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Builds the decoder as a serialized ModelProto (weights inside; keep it under 2 GB). */
export function buildLlamaDecoderGraph(
  cfg: ModelConfig,
  weights: WeightSource,
  opts: DecoderGraphOptions,
): Uint8Array {
  const b = new Builder();
  const { hiddenSize: E, numHeads: H, numKvHeads: KV, headDim: D, numLayers: L } = cfg;
  const I = cfg.intermediateSize;
  const nRep = H / KV;
  if (!Number.isInteger(nRep)) throw new Error(`num_attention_heads ${H} % kv heads ${KV} != 0`);
  const weight = (name: string, size: number): Float32Array => {
    const w = weights(name);
    if (w.length !== size)
      throw new Error(`weight ${name}: expected ${size} values, got ${w.length}`);
    return w;
  };

  const axes0 = b.ints('c_axes0', [0]);
  const axes1 = b.ints('c_axes1', [1]);
  const one = b.ints('c_one', [1], []);
  const zero = b.ints('c_zero', [0], []);
  const fMin = b.floats('c_mask_min', new Float32Array([MASK_MIN]), []);
  const fZero = b.floats('c_fzero', new Float32Array([0]), []);
  const shapeQ = b.ints('c_shape_q', [0, 0, H, D]);
  const shapeKv = b.ints('c_shape_kv', [0, 0, KV, D]);
  const shapeGroup = b.ints('c_shape_group', [0, KV, -1, D]);
  const shapeHeads = b.ints('c_shape_heads', [0, H, -1, D]);
  const shapeMerge = b.ints('c_shape_merge', [0, 0, H * D]);
  const splitQkv = b.ints('c_split_qkv', [H * D, KV * D, KV * D]);
  const splitGateUp = b.ints('c_split_gu', [I, I]);
  const toBnsd = [{ name: 'perm', ints: [0, 2, 1, 3] }];
  const transposeLast = [{ name: 'perm', ints: [0, 1, 3, 2] }];

  // RoPE through com.microsoft.RotaryEmbedding: one kernel instead of slice/neg/concat/mul/add.
  const [cosT, sinT] = ropeTables(ropeInvFreq(cfg), opts.maxPositions);
  const cosCache = b.floats('rope_cos_cache', cosT, [opts.maxPositions, D / 2]);
  const sinCache = b.floats('rope_sin_cache', sinT, [opts.maxPositions, D / 2]);
  const rope = (x: string, heads: number): string =>
    b.op(
      'RotaryEmbedding',
      [x, 'position_ids', cosCache, sinCache],
      [
        { name: 'interleaved', i: 0 },
        { name: 'num_heads', i: heads },
      ],
      1,
      MS,
    )[0]!;

  // Additive mask [B,1,S,T] (T = past or cache slots + S): key j is visible to query s when
  // attention_mask[b,j] = 1 and j <= P + s. Fully masked rows get a uniform softmax, as in HF.
  const T = b.op1('Gather', [b.op1('Shape', ['attention_mask']), one], [{ name: 'axis', i: 0 }]);
  const S = b.op1('Gather', [b.op1('Shape', ['input_ids']), one], [{ name: 'axis', i: 0 }]);
  const P = b.op1('Sub', [T, S]);
  const keyIdx = b.op1('Range', [zero, T, one]);
  const qryIdx = b.op1('Unsqueeze', [
    b.op1('Add', [b.op1('Range', [zero, S, one]), P]),
    b.ints('c_axes_last', [-1]),
  ]);
  const causal = b.op1('LessOrEqual', [keyIdx, qryIdx]); // [S,T]
  const keyOk = b.op1('Unsqueeze', [
    b.op1('Cast', ['attention_mask'], [{ name: 'to', i: DT.BOOL }]),
    b.ints('c_axes12', [1, 2]),
  ]); // [B,1,1,T]
  const bias = b.op1('Where', [b.op1('And', [causal, keyOk]), fZero, fMin]); // [B,1,S,T]
  // query rows are (head-in-group, position) pairs: repeat the mask per head of a group
  const biasGrouped = nRep > 1 ? b.op1('Tile', [bias, b.ints('c_tile', [1, 1, nRep, 1])]) : bias;
  const splitPastNew =
    opts.kvIo === 'external'
      ? b.op1(
          'Concat',
          [b.op1('Unsqueeze', [P, axes0]), b.op1('Unsqueeze', [S, axes0])],
          [{ name: 'axis', i: 0 }],
        )
      : '';

  const matmulWeight = (x: string, name: string, wT: Float32Array, inF: number, outF: number) =>
    b.op1('MatMul', [x, b.floats(name, wT, [inF, outF])]);
  const normW = (name: string) => b.floats(name, weight(name, E), [E]);
  const eps = [{ name: 'epsilon', f: cfg.rmsNormEps }];
  // SkipSimplifiedLayerNormalization: output 0 = RMSNorm(x + skip), output 3 = x + skip
  const skipNorm = (x: string, skip: string, w: string): [string, string] => {
    const [normed, , , sum] = b.op(
      'SkipSimplifiedLayerNormalization',
      [x, skip, normW(w)],
      eps,
      4,
      MS,
    );
    return [normed!, sum!];
  };

  const inputs = [
    valueInfo('input_ids', DT.INT64, ['batch', 'sequence']),
    valueInfo('attention_mask', DT.INT64, ['batch', 'total_sequence']),
    valueInfo('position_ids', DT.INT64, ['batch', 'sequence']),
  ];
  const outputs: onnxProto.onnx.IValueInfoProto[] = [];
  const pastDim = opts.kvIo === 'present' ? 'past_sequence' : 'cache_slots';
  const embed = weight('model.embed_tokens.weight', cfg.vocabSize * E);
  b.floats('model.embed_tokens.weight', embed, [cfg.vocabSize, E]);
  let h = b.op1('Gather', ['model.embed_tokens.weight', 'input_ids'], [{ name: 'axis', i: 0 }]);
  let x = b.op1(
    'SimplifiedLayerNormalization',
    [h, normW('model.layers.0.input_layernorm.weight')],
    [{ name: 'axis', i: -1 }, ...eps, { name: 'stash_type', i: 1 }],
  );
  // DiffLlama (modeling_diffllama.py, golden README section 4): A_j = O1_j - lambda O2_j with
  // O = P @ V2, V2_j = [v_rep(j) | v_rep(j + H/2)]. Since P1 V2 - lambda P2 V2 = (P1 - lambda P2) V2,
  // the differential map D_j = P_j - lambda P_{j+H/2} is formed first; laid out for all H heads
  // (D twice), one grouped MatMul with the plain (un-repeated) values gives head h the product
  // D_{h mod H/2} @ v_rep(h): the left half of A for h < H/2, the right half for h >= H/2.
  const isDiff = cfg.modelType === 'diffllama';
  const halves = isDiff ? b.ints('c_halves', [0, 2, -1, 0]) : '';
  const halvesD = isDiff ? b.ints('c_halves_d', [0, 2, -1, D]) : '';
  const shapeGroupT = isDiff ? b.ints('c_group_t', [0, KV, -1, 0]) : '';
  const shapePairs = isDiff ? b.ints('c_pairs', [0, H / 2, -1, 2 * D]) : '';
  const shapeMergePairs = isDiff ? b.ints('c_merge_pairs', [0, 0, H * D]) : '';
  const halfSplit = [
    { name: 'axis', i: 1 },
    { name: 'num_outputs', i: 2 },
  ];
  const ones2D = isDiff ? b.floats('c_ones_2d', new Float32Array(2 * D).fill(1), [2 * D]) : '';
  const differentialWeights = (probs: string, layer: number): string => {
    const pfx = `model.layers.${layer}.self_attn`;
    const lam = (qn: string, kn: string) =>
      b.op1('Exp', [
        b.op1(
          'ReduceSum',
          [
            b.op1('Mul', [
              b.floats(`${pfx}.${qn}`, weight(`${pfx}.${qn}`, D), [D]),
              b.floats(`${pfx}.${kn}`, weight(`${pfx}.${kn}`, D), [D]),
            ]),
            axes0,
          ],
          [{ name: 'keepdims', i: 0 }],
        ),
      ]);
    const lambdaFull = b.op1('Add', [
      b.op1('Sub', [lam('lambda_q1', 'lambda_k1'), lam('lambda_q2', 'lambda_k2')]),
      b.floats(b.fresh('lambda_init'), new Float32Array([lambdaInit(layer)]), []),
    ]);
    // probs [B,KV,nRep*S,T] are the heads [B,H,S,T] in order: halves on axis 1
    const [p1, p2] = b.op('Split', [b.op1('Reshape', [probs, halves])], halfSplit, 2);
    const dmap = b.op1('Sub', [p1!, b.op1('Mul', [p2!, lambdaFull])]); // [B,1,(H/2)*S,T]
    return b.op1('Reshape', [b.op1('Concat', [dmap, dmap], [{ name: 'axis', i: 1 }]), shapeGroupT]);
  };
  const differentialMerge = (ctx: string, layer: number): string => {
    // ctx is [B,H,S,D] in head order: first half = left columns, second half = right columns
    const [left, right] = b.op('Split', [b.op1('Reshape', [ctx, halvesD])], halfSplit, 2);
    const a = b.op1('Reshape', [
      b.op1('Concat', [left!, right!], [{ name: 'axis', i: -1 }]),
      shapePairs,
    ]);
    const normed = b.op1(
      'SimplifiedLayerNormalization',
      [a, ones2D],
      [{ name: 'axis', i: -1 }, ...eps, { name: 'stash_type', i: 1 }],
    );
    const scaled = b.op1('Mul', [
      normed,
      b.floats(b.fresh('one_minus_lambda_init'), new Float32Array([1 - lambdaInit(layer)]), []),
    ]);
    return b.op1('Reshape', [b.op1('Transpose', [scaled], toBnsd), shapeMergePairs]);
  };

  let pending = ''; // MLP output not yet added to h (fused into the next norm)
  const qScale = 1 / Math.sqrt(D); // folded into W_q (RoPE is linear, so it commutes)
  if (isDiff && H % 2 !== 0) throw new Error(`DiffLlama needs an even head count, got ${H}`);

  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}`;
    if (l > 0) [x, h] = skipNorm(h, pending, `${p}.input_layernorm.weight`);
    const wq = weight(`${p}.self_attn.q_proj.weight`, H * D * E).map((v) => v * qScale);
    const wk = weight(`${p}.self_attn.k_proj.weight`, KV * D * E);
    const wv = weight(`${p}.self_attn.v_proj.weight`, KV * D * E);
    // one MatMul for q, k and v (and one for gate and up): measured a little faster than three
    const qkvOut = (H + 2 * KV) * D;
    const qkvW = transpose2d(stackRows([wq, wk, wv]), qkvOut, E, p);
    const qkv = matmulWeight(x, `${p}.self_attn.qkv_proj.weight.T`, qkvW, E, qkvOut);
    const [q0, k0, v0] = b.op('Split', [qkv, splitQkv], [{ name: 'axis', i: -1 }], 3) as [
      string,
      string,
      string,
    ];
    const q = rope(b.op1('Transpose', [b.op1('Reshape', [q0, shapeQ])], toBnsd), H);
    const kName = opts.kvIo === 'external' ? EXTERNAL_KV_OUTPUT(l, 'key') : b.fresh('k');
    const vName = opts.kvIo === 'external' ? EXTERNAL_KV_OUTPUT(l, 'value') : b.fresh('v');
    b.op(
      'RotaryEmbedding',
      [
        b.op1('Transpose', [b.op1('Reshape', [k0, shapeKv])], toBnsd),
        'position_ids',
        cosCache,
        sinCache,
      ],
      [
        { name: 'interleaved', i: 0 },
        { name: 'num_heads', i: KV },
      ],
      1,
      MS,
    );
    const k = b.nameLast(kName);
    b.op('Transpose', [b.op1('Reshape', [v0, shapeKv])], toBnsd);
    const v = b.nameLast(vName);
    // the nRep query heads that share a kv head sit next to each other: [B,KV,nRep*S,D]
    const qg = b.op1('Reshape', [q, shapeGroup]);

    // Keys/values as parts along the key axis: the whole cache (present) or the external cache
    // slots followed by this call's tokens. Scores of the parts meet in one softmax, so the
    // external cache is only read, never concatenated.
    let keyParts: string[];
    let valueParts: string[];
    if (opts.kvIo === 'present') {
      const inK = `past_key_values.${l}.key`;
      const inV = `past_key_values.${l}.value`;
      inputs.push(valueInfo(inK, DT.FLOAT, ['batch', KV, pastDim, D]));
      inputs.push(valueInfo(inV, DT.FLOAT, ['batch', KV, pastDim, D]));
      b.op('Concat', [inK, k], [{ name: 'axis', i: 2 }]);
      const K = b.nameLast(`present.${l}.key`);
      b.op('Concat', [inV, v], [{ name: 'axis', i: 2 }]);
      const V = b.nameLast(`present.${l}.value`);
      outputs.push(valueInfo(K, DT.FLOAT, ['batch', KV, 'total_sequence', D]));
      outputs.push(valueInfo(V, DT.FLOAT, ['batch', KV, 'total_sequence', D]));
      keyParts = [K];
      valueParts = [V];
    } else {
      const inK = EXTERNAL_KV_INPUT(l, 'key');
      const inV = EXTERNAL_KV_INPUT(l, 'value');
      inputs.push(valueInfo(inK, DT.FLOAT, ['batch', KV, pastDim, D]));
      inputs.push(valueInfo(inV, DT.FLOAT, ['batch', KV, pastDim, D]));
      outputs.push(valueInfo(k, DT.FLOAT, ['batch', KV, 'sequence', D]));
      outputs.push(valueInfo(v, DT.FLOAT, ['batch', KV, 'sequence', D]));
      keyParts = [inK, k];
      valueParts = [inV, v];
    }
    const scoreParts = keyParts.map((K) =>
      b.op1('MatMul', [qg, b.op1('Transpose', [K], transposeLast)]),
    );
    const scores = b.op1('Add', [
      scoreParts.length > 1
        ? b.op1('Concat', scoreParts, [{ name: 'axis', i: -1 }])
        : scoreParts[0]!,
      biasGrouped,
    ]);
    const probs = b.op1('Softmax', [scores], [{ name: 'axis', i: -1 }]); // [B,KV,nRep*S,T]
    // Llama: weights = probs. DiffLlama: weights of head h = P[h mod H/2] - lambda P[h mod H/2 + H/2]
    // (the same differential map for both halves; see attendValues below).
    const weightsAll = isDiff ? differentialWeights(probs, l) : probs;
    const weightParts =
      valueParts.length > 1
        ? b.op('Split', [weightsAll, splitPastNew], [{ name: 'axis', i: -1 }], 2)
        : [weightsAll];
    const products = valueParts.map((V, i) => b.op1('MatMul', [weightParts[i]!, V]));
    const ctx = products.length > 1 ? b.op1('Add', products) : products[0]!; // [B,KV,nRep*S,D]
    const merged = isDiff
      ? differentialMerge(ctx, l)
      : b.op1('Reshape', [
          b.op1('Transpose', [b.op1('Reshape', [ctx, shapeHeads])], toBnsd),
          shapeMerge,
        ]);
    const attnOut = matmulWeight(
      merged,
      `${p}.self_attn.o_proj.weight.T`,
      transpose2d(weight(`${p}.self_attn.o_proj.weight`, E * H * D), E, H * D, p),
      H * D,
      E,
    );
    const [x2, h2] = skipNorm(h, attnOut, `${p}.post_attention_layernorm.weight`);
    h = h2;
    const wg = weight(`${p}.mlp.gate_proj.weight`, I * E);
    const wu = weight(`${p}.mlp.up_proj.weight`, I * E);
    const guW = transpose2d(stackRows([wg, wu]), 2 * I, E, p);
    const gu = matmulWeight(x2, `${p}.mlp.gate_up_proj.weight.T`, guW, E, 2 * I);
    const [g, u] = b.op('Split', [gu, splitGateUp], [{ name: 'axis', i: -1 }], 2) as [
      string,
      string,
    ];
    const act = b.op1('Mul', [b.op1('Mul', [g, b.op1('Sigmoid', [g])]), u]);
    pending = matmulWeight(
      act,
      `${p}.mlp.down_proj.weight.T`,
      transpose2d(weight(`${p}.mlp.down_proj.weight`, E * I), E, I, p),
      I,
      E,
    );
  }

  if (opts.lastTokenLogits) {
    const lastOnly = (t: string) =>
      b.op1('Slice', [t, b.ints(b.fresh('c'), [-1]), b.ints(b.fresh('c'), [2 ** 62]), axes1]);
    h = lastOnly(h);
    pending = lastOnly(pending);
  }
  const [hn] = skipNorm(h, pending, 'model.norm.weight');
  if (cfg.tieWordEmbeddings && opts.shareTiedHead) {
    // Gemm with transB reads the embedding as stored: no transposed copy of a tied head (keeps
    // 375M-class models under the 2 GB protobuf limit), at some cost for batch 1.
    const flat = b.op1('Reshape', [hn, b.ints('c_flat', [-1, E])]);
    const logits2d = b.op1('Gemm', [flat, 'model.embed_tokens.weight'], [{ name: 'transB', i: 1 }]);
    const logitsShape = b.op1(
      'Concat',
      [
        b.op1('Slice', [b.op1('Shape', [hn]), b.ints('c_start0', [0]), b.ints('c_end2', [2])]),
        b.ints('c_vocab', [cfg.vocabSize]),
      ],
      [{ name: 'axis', i: 0 }],
    );
    b.op('Reshape', [logits2d, logitsShape]);
  } else {
    // MatMul with [E, V]: M = 1 takes MLAS's fast GEMV kernel (Gemm transB is slower there)
    const headName = cfg.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    const head = cfg.tieWordEmbeddings ? embed : weight(headName, cfg.vocabSize * E);
    const headT = transpose2d(head, cfg.vocabSize, E, headName);
    b.op('MatMul', [hn, b.floats('lm_head.weight.T', headT, [E, cfg.vocabSize])]);
  }
  b.nameLast('logits');
  outputs.unshift(
    valueInfo('logits', DT.FLOAT, ['batch', opts.lastTokenLogits ? 1 : 'sequence', cfg.vocabSize]),
  );
  // Greedy decoding needs only the argmax: fetching it instead of the logits saves JS a
  // [B, V] copy and scan per step (first index on ties, like torch.argmax).
  b.op(
    'ArgMax',
    ['logits'],
    [
      { name: 'axis', i: -1 },
      { name: 'keepdims', i: 0 },
      { name: 'select_last_index', i: 0 },
    ],
  );
  outputs.push(
    valueInfo(b.nameLast(ARGMAX_OUTPUT), DT.INT64, [
      'batch',
      opts.lastTokenLogits ? 1 : 'sequence',
    ]),
  );

  const graph = onnx.GraphProto.create({
    name: `llama-${opts.kvIo}`,
    node: b.nodes,
    initializer: b.initializers,
    input: inputs,
    output: outputs,
  });
  const model = onnx.ModelProto.create({
    irVersion: 10,
    producerName: '@exp/models runtime',
    opsetImport: [
      { domain: '', version: 21 },
      { domain: MS, version: 1 },
    ],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
