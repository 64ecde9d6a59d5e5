// The two ways generation runs the decoder step by step, behind one interface:
//  - PresentStepDecoder: the exported convention (past_key_values.* in, present.* out); each
//    step feeds the previous presents back, so the whole cache crosses into JS every step.
//  - ExternalKvStepDecoder: the decode graph of decoder-graph.ts (src/arch, kvCache 'external'); the cache lives in JS-owned
//    buffers that onnxruntime reads in place, and only the step's new keys/values come back.
// Both keep the attention mask themselves: the caller passes ids and positions only.
import { f16ToF32 } from '../safetensors/half.js';
import { ARGMAX_OUTPUT, EXTERNAL_KV_INPUT, EXTERNAL_KV_OUTPUT } from '../arch/decoder.js';
import { ort } from './ort.js';
import type { InferenceSession } from './session.js';

export type GenerationPath = 'external-kv' | 'present';

/** What a step returns: last-position logits [B, V] row-major, or only their argmax per row. */
export type StepOutput =
  { logits: Float32Array; argmax: null } | { logits: null; argmax: number[] };

export interface StepDecoder {
  readonly path: GenerationPath;
  /** Whether the decoder can return the argmax alone (see `want`). */
  readonly hasArgmax: boolean;
  /**
   * Runs the left-padded prompt batch (ids/mask/positions row-major [B, S]) with an empty cache.
   * `want` 'argmax' asks for the argmax only (if hasArgmax; logits otherwise).
   */
  prefill(
    ids: BigInt64Array,
    mask: BigInt64Array,
    positions: BigInt64Array,
    batch: number,
    want: 'logits' | 'argmax',
  ): Promise<StepOutput>;
  /** One new token per row (mask 1), at the given positions. */
  step(
    tokens: readonly number[],
    positions: readonly number[],
    want: 'logits' | 'argmax',
  ): Promise<StepOutput>;
  /** Drops the cache. */
  reset(): void;
  /** Frees what the decoder owns (its session, for the external-kv graph). */
  release(): Promise<void>;
}

type Feeds = Record<string, ort.Tensor>;

/** float32 logits of each row's last position, [B, V] (the output's own buffer when S = 1). */
export function lastPositionLogits(t: ort.Tensor): Float32Array {
  const [batch, seq, vocab] = t.dims as [number, number, number];
  const data =
    t.type === 'float32'
      ? (t.data as Float32Array)
      : t.type === 'float16'
        ? f16ToF32(t.data as Uint16Array)
        : null;
  if (!data) throw new Error(`logits have type ${t.type}, expected float32 or float16`);
  if (seq === 1) return data;
  const out = new Float32Array(batch * vocab);
  for (let b = 0; b < batch; b++) {
    out.set(data.subarray((b * seq + seq - 1) * vocab, (b * seq + seq) * vocab), b * vocab);
  }
  return out;
}

function i64(values: readonly number[], dims: number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return new ort.Tensor('int64', data, dims);
}

export interface KvShape {
  layers: number;
  kvHeads: number;
  headDim: number;
}

export class PresentStepDecoder implements StepDecoder {
  readonly path = 'present' as const;
  readonly hasArgmax = false;
  private mask: BigInt64Array = new BigInt64Array(0);
  private total = 0;
  private batch = 0;
  private past: Feeds = {};
  private readonly fetches: string[];
  private readonly kvType: 'float32' | 'float16';

  constructor(
    private readonly session: InferenceSession,
    private readonly kv: KvShape,
  ) {
    const meta = new Map(session.inputMetadata.map((m) => [m.name, m]));
    const first = meta.get('past_key_values.0.key');
    if (!first || !first.isTensor || (first.type !== 'float32' && first.type !== 'float16')) {
      throw new Error(
        `model has no float past_key_values.0.key input (inputs: ${session.inputNames.join(', ')})`,
      );
    }
    this.kvType = first.type;
    this.fetches = ['logits'];
    for (let i = 0; i < kv.layers; i++) this.fetches.push(`present.${i}.key`, `present.${i}.value`);
    for (const name of this.fetches) {
      if (!session.outputNames.includes(name)) throw new Error(`model has no output ${name}`);
    }
  }

  async release(): Promise<void> {
    this.reset(); // the session belongs to the caller (it also serves forward())
  }

  reset(): void {
    this.past = {};
    this.mask = new BigInt64Array(0);
    this.total = 0;
  }

  private emptyPast(batch: number): Feeds {
    const feeds: Feeds = {};
    const dims = [batch, this.kv.kvHeads, 0, this.kv.headDim];
    for (let i = 0; i < this.kv.layers; i++) {
      for (const kind of ['key', 'value']) {
        const data = this.kvType === 'float32' ? new Float32Array(0) : new Uint16Array(0);
        feeds[`past_key_values.${i}.${kind}`] = new ort.Tensor(this.kvType, data, dims);
      }
    }
    return feeds;
  }

  private async run(feeds: Feeds): Promise<StepOutput> {
    const out = await this.session.run(feeds, this.fetches);
    this.past = {};
    for (let i = 0; i < this.kv.layers; i++) {
      this.past[`past_key_values.${i}.key`] = out[`present.${i}.key`]!;
      this.past[`past_key_values.${i}.value`] = out[`present.${i}.value`]!;
    }
    return { logits: lastPositionLogits(out.logits!), argmax: null };
  }

  async prefill(ids: BigInt64Array, mask: BigInt64Array, positions: BigInt64Array, batch: number) {
    const seq = ids.length / batch;
    this.batch = batch;
    this.total = seq;
    this.mask = mask.slice();
    return this.run({
      input_ids: new ort.Tensor('int64', ids, [batch, seq]),
      attention_mask: new ort.Tensor('int64', this.mask, [batch, seq]),
      position_ids: new ort.Tensor('int64', positions, [batch, seq]),
      ...this.emptyPast(batch),
    });
  }

  async step(tokens: readonly number[], positions: readonly number[]) {
    const { batch, total } = this;
    // mask grows by one column of ones (HF appends 1 for every row, finished or not)
    const mask = new BigInt64Array(batch * (total + 1));
    for (let b = 0; b < batch; b++) {
      mask.set(this.mask.subarray(b * total, (b + 1) * total), b * (total + 1));
      mask[b * (total + 1) + total] = 1n;
    }
    this.mask = mask;
    this.total = total + 1;
    return this.run({
      input_ids: i64(tokens, [batch, 1]),
      attention_mask: new ort.Tensor('int64', mask, [batch, total + 1]),
      position_ids: i64(positions, [batch, 1]),
      ...this.past,
    });
  }
}

/** Cache slots are allocated in chunks of this many: attention reads at most this many unused slots. */
export const KV_SLOT_CHUNK = 32;

export class ExternalKvStepDecoder implements StepDecoder {
  readonly path = 'external-kv' as const;
  readonly hasArgmax: boolean;
  private batch = 0;
  private capacity = 0;
  private used = 0;
  /** [layer*2 + (0 key | 1 value)] -> [B, KV, capacity, D] */
  private cache: Float32Array[] = [];
  private cacheTensors: ort.Tensor[] = [];
  /** [B, capacity + 1]: slot validity, then 1 for the step's token. */
  private stepMask: BigInt64Array = new BigInt64Array(0);
  private readonly fetches: string[];
  private readonly fetchesArgmax: string[];

  constructor(
    private readonly session: InferenceSession,
    private readonly kv: KvShape,
    /** Positions must stay below this (rows of the graph's RoPE tables). */
    readonly maxPositions: number,
    private readonly slotChunk = KV_SLOT_CHUNK,
  ) {
    this.fetches = ['logits'];
    for (let i = 0; i < kv.layers; i++) {
      this.fetches.push(EXTERNAL_KV_OUTPUT(i, 'key'), EXTERNAL_KV_OUTPUT(i, 'value'));
    }
    for (const name of this.fetches) {
      if (!session.outputNames.includes(name))
        throw new Error(`decode graph has no output ${name}`);
    }
    this.hasArgmax = session.outputNames.includes(ARGMAX_OUTPUT);
    this.fetchesArgmax = [ARGMAX_OUTPUT, ...this.fetches.slice(1)];
  }

  private output(out: Record<string, ort.Tensor>, want: 'logits' | 'argmax'): StepOutput {
    if (want === 'argmax' && this.hasArgmax) {
      const t = out[ARGMAX_OUTPUT]!;
      const seq = t.dims[1]!;
      const data = t.data as BigInt64Array;
      return {
        logits: null,
        argmax: Array.from({ length: this.batch }, (_, b) => Number(data[b * seq + seq - 1])),
      };
    }
    return { logits: lastPositionLogits(out.logits!), argmax: null };
  }

  async release(): Promise<void> {
    this.reset();
    await this.session.release();
  }

  private checkPositions(positions: ArrayLike<bigint | number>): void {
    for (let i = 0; i < positions.length; i++) {
      if (Number(positions[i]) >= this.maxPositions) {
        throw new Error(
          `position ${positions[i]} is beyond the decode graph's ${this.maxPositions} positions ` +
            '(load with a larger maxPositions)',
        );
      }
    }
  }

  reset(): void {
    this.cache = [];
    this.cacheTensors = [];
    this.capacity = 0;
    this.used = 0;
  }

  private feedsFor(capacity: number, tensors: ort.Tensor[] | null): Feeds {
    const feeds: Feeds = {};
    const dims = [this.batch, this.kv.kvHeads, capacity, this.kv.headDim];
    for (let i = 0; i < this.kv.layers; i++) {
      for (const [j, kind] of (['key', 'value'] as const).entries()) {
        feeds[EXTERNAL_KV_INPUT(i, kind)] =
          tensors?.[2 * i + j] ?? new ort.Tensor('float32', new Float32Array(0), dims);
      }
    }
    return feeds;
  }

  /** Re-allocates the cache for `capacity` slots, keeping the `used` filled ones. */
  private grow(capacity: number, slotMask: BigInt64Array | null): void {
    const { batch, used } = this;
    const { kvHeads, headDim } = this.kv;
    const old = this.cache;
    const oldCap = this.capacity;
    this.cache = [];
    for (let t = 0; t < this.kv.layers * 2; t++) {
      const buf = new Float32Array(batch * kvHeads * capacity * headDim);
      const prev = old[t];
      if (prev) {
        for (let bh = 0; bh < batch * kvHeads; bh++) {
          buf.set(
            prev.subarray(bh * oldCap * headDim, (bh * oldCap + used) * headDim),
            bh * capacity * headDim,
          );
        }
      }
      this.cache.push(buf);
    }
    this.cacheTensors = this.cache.map(
      (buf) => new ort.Tensor('float32', buf, [batch, kvHeads, capacity, headDim]),
    );
    const mask = new BigInt64Array(batch * (capacity + 1));
    for (let b = 0; b < batch; b++) {
      const row = b * (capacity + 1);
      if (slotMask) mask.set(slotMask.subarray(b * used, (b + 1) * used), row);
      else mask.set(this.stepMask.subarray(b * (oldCap + 1), b * (oldCap + 1) + used), row);
      mask[row + capacity] = 1n;
    }
    this.stepMask = mask;
    this.capacity = capacity;
  }

  /** Copies kv_new.* ([B, KV, S, D]) into slots [used, used + S). */
  private store(out: Record<string, ort.Tensor>, seq: number): void {
    const { batch, capacity, used } = this;
    const { kvHeads, headDim } = this.kv;
    const n = seq * headDim;
    for (let i = 0; i < this.kv.layers; i++) {
      for (const [j, kind] of (['key', 'value'] as const).entries()) {
        const src = out[EXTERNAL_KV_OUTPUT(i, kind)]!.data as Float32Array;
        const dst = this.cache[2 * i + j]!;
        // plain loops: thousands of small subarray()/set() calls per step cost more than the copy
        for (let bh = 0; bh < batch * kvHeads; bh++) {
          const from = bh * n;
          const to = (bh * capacity + used) * headDim;
          for (let x = 0; x < n; x++) dst[to + x] = src[from + x]!;
        }
      }
    }
  }

  async prefill(
    ids: BigInt64Array,
    mask: BigInt64Array,
    positions: BigInt64Array,
    batch: number,
    want: 'logits' | 'argmax',
  ) {
    const seq = ids.length / batch;
    this.checkPositions(positions);
    this.reset();
    this.batch = batch;
    const out = await this.session.run(
      {
        input_ids: new ort.Tensor('int64', ids, [batch, seq]),
        attention_mask: new ort.Tensor('int64', mask, [batch, seq]),
        position_ids: new ort.Tensor('int64', positions, [batch, seq]),
        ...this.feedsFor(0, null),
      },
      want === 'argmax' && this.hasArgmax ? this.fetchesArgmax : this.fetches,
    );
    this.used = seq;
    this.grow(Math.ceil((seq + 1) / this.slotChunk) * this.slotChunk, mask);
    this.used = 0;
    this.store(out, seq);
    this.used = seq;
    return this.output(out, want);
  }

  async step(tokens: readonly number[], positions: readonly number[], want: 'logits' | 'argmax') {
    const { batch } = this;
    this.checkPositions(positions);
    if (this.used === this.capacity) this.grow(this.capacity + this.slotChunk, null);
    const out = await this.session.run(
      {
        input_ids: i64(tokens, [batch, 1]),
        attention_mask: new ort.Tensor('int64', this.stepMask, [batch, this.capacity + 1]),
        position_ids: i64(positions, [batch, 1]),
        ...this.feedsFor(this.capacity, this.cacheTensors),
      },
      want === 'argmax' && this.hasArgmax ? this.fetchesArgmax : this.fetches,
    );
    this.store(out, 1);
    for (let b = 0; b < batch; b++) this.stepMask[b * (this.capacity + 1) + this.used] = 1n;
    this.used += 1;
    return this.output(out, want);
  }
}
