// The exported-model contract in one place (src/arch/decoder.ts writes it): input_ids,
// attention_mask and position_ids as int64 [B, S], past_key_values.{i}.{key,value} in and
// present.{i}.{key,value} out ([B, KV, T, d], float32 or float16), logits [B, S, V]. forward(),
// the present decoder and verify all feed a model through these helpers, so they cannot drift.
import { f16ToF32 } from '../safetensors/half.js';
import { ort } from './ort.js';
import type { InferenceSession } from './session.js';

export type Feeds = Record<string, ort.Tensor>;
export type KvKind = 'key' | 'value';
export const KV_KINDS = ['key', 'value'] as const;

export interface KvShape {
  layers: number;
  kvHeads: number;
  headDim: number;
}

export const pastName = (layer: number, kind: KvKind) => `past_key_values.${layer}.${kind}`;
export const presentName = (layer: number, kind: KvKind) => `present.${layer}.${kind}`;

/** Element type of a cache tensor: float32 keeps Float32Array data, float16 Uint16Array bits. */
export type KvType = 'float32' | 'float16';

/** The cache type the model takes (from past_key_values.0.key), or null if it has no such input. */
export function pastKvType(session: InferenceSession): KvType | null {
  const meta = session.inputMetadata.find((m) => m.name === pastName(0, 'key'));
  if (!meta?.isTensor) return null;
  return meta.type === 'float32' || meta.type === 'float16' ? meta.type : null;
}

/**
 * A [dims] cache tensor over `data` (a fresh zeroed one when omitted). A float16 one is the plain
 * { type, dims, data, location } object the binding reads, over Uint16Array bits: where the
 * runtime has Float16Array (Node 24), ort.Tensor wraps float16 data in one, and onnxruntime-node
 * 1.30's binding cannot read it ("not enough space: expected N, got 0").
 */
export function kvTensor(type: KvType, dims: number[], data?: Float32Array | Uint16Array) {
  const size = dims.reduce((a, b) => a * b, 1);
  if (type === 'float32') return new ort.Tensor(type, data ?? new Float32Array(size), dims);
  const bits = data ?? new Uint16Array(size);
  return { type, dims, data: bits, location: 'cpu' } as unknown as ort.Tensor;
}

/**
 * A tensor's data, float16 as its Uint16Array bits whatever array onnxruntime-common chose for
 * it (Float16Array where the runtime has one, Uint16Array elsewhere).
 */
export function tensorBits(t: ort.Tensor): Float32Array | Uint16Array {
  const d = t.data as Float32Array | Uint16Array;
  if (t.type !== 'float16' || d instanceof Uint16Array) return d;
  return new Uint16Array(d.buffer, d.byteOffset, d.length);
}

/** past_key_values.* of length 0: a prefill with an empty cache. */
export function emptyPastFeeds(type: KvType, batch: number, kv: KvShape): Feeds {
  const feeds: Feeds = {};
  for (let i = 0; i < kv.layers; i++) {
    for (const kind of KV_KINDS) {
      feeds[pastName(i, kind)] = kvTensor(type, [batch, kv.kvHeads, 0, kv.headDim]);
    }
  }
  return feeds;
}

/** clamp(cumsum(mask) - 1, 0) per row, as HF and the golden data compute positions. */
export function positionsFromMask(mask: BigInt64Array, batch: number): BigInt64Array {
  const seq = mask.length / batch;
  const positions = new BigInt64Array(mask.length);
  for (let b = 0; b < batch; b++) {
    let c = 0n;
    for (let i = 0; i < seq; i++) {
      c += mask[b * seq + i]!;
      positions[b * seq + i] = c > 0n ? c - 1n : 0n;
    }
  }
  return positions;
}

/** An int64 tensor of integer numbers. */
export function int64(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return new ort.Tensor('int64', data, dims);
}

/** Rows of integers as row-major int64 [rows.length, seq]; `what` names the input in errors. */
export function int64Rows(what: string, rows: readonly (readonly number[])[], seq: number) {
  const out = new BigInt64Array(rows.length * seq);
  rows.forEach((row, b) => {
    if (row.length !== seq) {
      throw new Error(`${what} row ${b} has ${row.length} values, expected ${seq}`);
    }
    row.forEach((v, i) => {
      if (!Number.isInteger(v)) throw new Error(`${what}[${b}][${i}] = ${v} is not an integer`);
      out[b * seq + i] = BigInt(v);
    });
  });
  return out;
}

/** The three int64 inputs of one call, [B, S] (the mask may be longer: [B, past + S]). */
export function tokenFeeds(
  ids: BigInt64Array,
  mask: BigInt64Array,
  positions: BigInt64Array,
  batch: number,
): Feeds {
  const seq = ids.length / batch;
  return {
    input_ids: new ort.Tensor('int64', ids, [batch, seq]),
    attention_mask: new ort.Tensor('int64', mask, [batch, mask.length / batch]),
    position_ids: new ort.Tensor('int64', positions, [batch, seq]),
  };
}

/** float32 logits of each row's last position, [B, V] (the output's own buffer when S = 1). */
export function lastPositionLogits(t: ort.Tensor, lengths?: readonly number[]): Float32Array {
  const [batch, seq, vocab] = t.dims as [number, number, number];
  const data =
    t.type === 'float32'
      ? (t.data as Float32Array)
      : t.type === 'float16'
        ? f16ToF32(tensorBits(t) as Uint16Array)
        : null;
  if (!data) throw new Error(`logits have type ${t.type}, expected float32 or float16`);
  if (seq === 1) return data;
  const out = new Float32Array(batch * vocab);
  for (let b = 0; b < batch; b++) {
    const at = b * seq + (lengths?.[b] ?? seq) - 1; // right-padded rows: their last real token
    out.set(data.subarray(at * vocab, (at + 1) * vocab), b * vocab);
  }
  return out;
}
