// Both generation paths as one StepDecoder over a cache kept in JS-owned buffers
// [rows, KV, capacity, d] that onnxruntime reads in place; after each call only the call's new
// keys/values are copied in. The two paths differ only in names and where the new keys are:
//  - 'external-kv': the decode graph of decoder-graph.ts (kv_cache.* in, kv_new.* out: only the
//    new keys/values come back);
//  - 'present': the exported model.onnx (past_key_values.* in, present.* out: the whole cache
//    comes back, of which the last columns are the new ones).
// Each row keeps its keys in slots 0..used-1, exactly where they would be if it ran alone, and
// the capacity is a whole number of chunks shared by the rows (unused slots masked): a longer
// neighbour only adds masked slots, which is what makes rows bitwise independent of each other.
import {
  ARGMAX_OUTPUT,
  EXTERNAL_KV_INPUT,
  EXTERNAL_KV_OUTPUT,
  PENALIZED_ARGMAX_OUTPUT,
  PENALTY_IDS_INPUT,
  PENALTY_INPUT,
} from '../arch/decoder.js';
import {
  KV_KINDS,
  int64,
  kvTensor,
  tensorBits,
  lastPositionLogits,
  pastKvType,
  pastName,
  presentName,
  type Feeds,
  type KvKind,
  type KvShape,
  type KvType,
} from './decoder-io.js';
import { KNOCKOUT_KEYS_INPUT, knockoutFeeds, knockoutKeys } from './knockout-feeds.js';
import { packRows, roundUp, type KvData } from './kv-rows.js';
import { ort } from './ort.js';
import type { InferenceSession } from './session.js';
import type {
  GenerationPath,
  PenalizedArgmax,
  StepDecoder,
  StepOutput,
  Want,
} from './step-decoder.js';

/** Cache slots are allocated in chunks of this many: attention reads at most this many unused slots. */
export const KV_SLOT_CHUNK = 32;

interface Convention {
  path: GenerationPath;
  input: (layer: number, kind: KvKind) => string;
  output: (layer: number, kind: KvKind) => string;
  type: KvType;
  /** Positions must stay below this (rows of the decode graph's RoPE tables). */
  maxPositions: number;
  /** Whether release() also releases the session (model.onnx's also serves forward()). */
  ownsSession: boolean;
}

class CachedStepDecoder implements StepDecoder {
  readonly path: GenerationPath;
  readonly hasArgmax: boolean;
  readonly hasPenalizedArgmax: boolean;
  readonly hasKnockout: boolean;
  slots = 0;
  private capacity = 0;
  /** Filled cache slots per row (its next position); 0 for an empty row. */
  private used: number[] = [];
  /** [layer*2 + (0 key | 1 value)] -> [rows, KV, capacity, D] */
  private cache: KvData[] = [];
  private cacheTensors: ort.Tensor[] = [];
  /** [rows, capacity + 1]: slot validity, then 1 for the step's token. */
  private stepMask: BigInt64Array = new BigInt64Array(0);
  /**
   * Knockout decoders: [rows, capacity + 1] knockout_keys of a step, laid out as stepMask: each
   * row's blocked prompt positions, then 0 for the step's token (generated tokens are never
   * blocked), so a row's knockout persists through its cache.
   */
  private knockMask: BigInt64Array = new BigInt64Array(0);
  private knockFrom = 0;
  private readonly fetches: string[];
  private readonly fetchesArgmax: string[];
  private readonly fetchesPenalized: string[];

  constructor(
    private readonly session: InferenceSession,
    private readonly kv: KvShape,
    private readonly c: Convention,
    private readonly slotChunk = KV_SLOT_CHUNK,
  ) {
    this.path = c.path;
    this.fetches = ['logits'];
    for (let i = 0; i < kv.layers; i++) {
      for (const kind of KV_KINDS) this.fetches.push(c.output(i, kind));
    }
    for (const name of this.fetches) {
      if (!session.outputNames.includes(name)) throw new Error(`model has no output ${name}`);
    }
    this.hasArgmax = session.outputNames.includes(ARGMAX_OUTPUT);
    this.fetchesArgmax = [ARGMAX_OUTPUT, ...this.fetches.slice(1)];
    this.hasPenalizedArgmax =
      session.outputNames.includes(PENALIZED_ARGMAX_OUTPUT) &&
      session.inputNames.includes(PENALTY_IDS_INPUT) &&
      session.inputNames.includes(PENALTY_INPUT);
    this.fetchesPenalized = [PENALIZED_ARGMAX_OUTPUT, ...this.fetches.slice(1)];
    this.hasKnockout = session.inputNames.includes(KNOCKOUT_KEYS_INPUT);
  }

  async release(): Promise<void> {
    this.reset();
    if (this.c.ownsSession) await this.session.release();
  }

  reset(): void {
    this.begin(0);
  }

  begin(slots: number, knockoutFromLayer = 0): void {
    this.knockFrom = knockoutFromLayer;
    this.used = new Array<number>(slots).fill(0);
    this.cache = [];
    this.resize(0, null);
  }

  private checkPosition(position: number): void {
    if (position >= this.c.maxPositions) {
      throw new Error(
        `position ${position} is beyond the decode graph's ${this.c.maxPositions} positions ` +
          '(load with a larger maxPositions)',
      );
    }
  }

  /** New buffers of `capacity` slots; row i keeps old row rows[i] (identity when null). */
  private resize(capacity: number, rows: readonly number[] | null): void {
    const { kvHeads, headDim } = this.kv;
    const map = rows ?? this.used.map((_, i) => i);
    const used = map.map((r) => this.used[r]!);
    const n = map.length;
    const dims = [n, kvHeads, capacity, headDim];
    const old = this.cache;
    this.cacheTensors = Array.from({ length: 2 * this.kv.layers }, (_, t) => {
      const tensor = kvTensor(this.c.type, dims);
      const prev = old[t];
      if (prev) {
        const sources = map.map((row, i) => ({
          data: prev,
          row,
          slots: this.capacity,
          keep: used[i]!,
        }));
        packRows(tensor.data as KvData, capacity, kvHeads, headDim, sources);
      }
      return tensor;
    });
    this.cache = this.cacheTensors.map((t) => t.data as KvData);
    this.stepMask = new BigInt64Array(n * (capacity + 1));
    for (let b = 0; b < n; b++) {
      this.stepMask.fill(1n, b * (capacity + 1), b * (capacity + 1) + used[b]!);
      this.stepMask[b * (capacity + 1) + capacity] = 1n;
    }
    if (this.hasKnockout) {
      const knock = new BigInt64Array(n * (capacity + 1));
      map.forEach((row, b) => {
        const from = row * (this.capacity + 1);
        knock.set(this.knockMask.subarray(from, from + used[b]!), b * (capacity + 1));
      });
      this.knockMask = knock;
    }
    this.slots = n;
    this.used = used;
    this.capacity = capacity;
  }

  /**
   * Room for every row's filled slots plus the next token's, in whole chunks: a row alone gets
   * the same capacity for itself, and a longer neighbour only adds masked slots at the end.
   */
  private fit(alsoNeeded = 0): void {
    const capacity = roundUp(Math.max(alsoNeeded, ...this.used) + 1, this.slotChunk);
    if (capacity !== this.capacity) this.resize(capacity, null);
  }

  private cacheFeeds(batch: number, capacity: number, tensors: ort.Tensor[] | null): Feeds {
    const feeds: Feeds = {};
    const dims = [batch, this.kv.kvHeads, capacity, this.kv.headDim];
    for (let i = 0; i < this.kv.layers; i++) {
      for (const [j, kind] of KV_KINDS.entries()) {
        feeds[this.c.input(i, kind)] = tensors?.[2 * i + j] ?? kvTensor(this.c.type, dims);
      }
    }
    return feeds;
  }

  /** The output `want` asks for, among those the decoder has. */
  private kind(want: Want): 'logits' | 'argmax' | 'penalized' {
    if (want === 'argmax') {
      // the penalised argmax at penalty 1 is the plain argmax (decode graphs have only it)
      return this.hasArgmax ? 'argmax' : this.hasPenalizedArgmax ? 'penalized' : 'logits';
    }
    if (want === 'logits') return 'logits';
    return this.hasPenalizedArgmax ? 'penalized' : 'logits';
  }

  private run(feeds: Feeds, want: Want, rows: number) {
    const kind = this.kind(want);
    if (this.hasPenalizedArgmax) {
      // graph inputs must be fed even when their output is not fetched
      const ids = kind === 'penalized' && want !== 'argmax' ? (want as PenalizedArgmax).ids : null;
      feeds[PENALTY_IDS_INPUT] = penaltyIds(ids, rows);
      feeds[PENALTY_INPUT] = new ort.Tensor(
        'float32',
        Float32Array.of(ids ? (want as PenalizedArgmax).penalty : 1),
        [1],
      );
    }
    const fetches =
      kind === 'argmax'
        ? this.fetchesArgmax
        : kind === 'penalized'
          ? this.fetchesPenalized
          : this.fetches;
    return this.session.run(feeds, fetches);
  }

  /** Each row's last-position output; `lengths`: right-padded rows' real lengths. */
  private output(
    out: Record<string, ort.Tensor>,
    want: Want,
    rows: number,
    lengths?: readonly number[],
  ): StepOutput {
    const kind = this.kind(want);
    if (kind !== 'logits') {
      const t = out[kind === 'argmax' ? ARGMAX_OUTPUT : PENALIZED_ARGMAX_OUTPUT]!;
      const seq = t.dims[1]!;
      const data = t.data as BigInt64Array;
      // a [B, S] argmax (model.onnx) is indexed by position; [B, 1] is the last real one already
      const at = (b: number) => (seq === 1 ? 0 : (lengths?.[b] ?? seq) - 1);
      return {
        logits: null,
        argmax: Array.from({ length: rows }, (_, b) => Number(data[b * seq + at(b)])),
      };
    }
    return { logits: lastPositionLogits(out.logits!, lengths), argmax: null };
  }

  /**
   * Copies `seq` key/value columns of output row `from` (its first ones when `first`, else its
   * last) into row `to`, slots [at, at + seq).
   */
  private store(
    out: Record<string, ort.Tensor>,
    seq: number,
    from: number,
    to: number,
    at: number,
    first = false,
  ) {
    const { kvHeads, headDim } = this.kv;
    const { capacity } = this;
    const n = seq * headDim;
    for (let i = 0; i < this.kv.layers; i++) {
      for (const [j, kind] of KV_KINDS.entries()) {
        const t = out[this.c.output(i, kind)]!;
        const src = tensorBits(t);
        const dst = this.cache[2 * i + j]!;
        const total = t.dims[2]!;
        // plain loops: thousands of small subarray()/set() calls per step cost more than the copy
        for (let h = 0; h < kvHeads; h++) {
          const s0 = ((from * kvHeads + h) * total + (first ? 0 : total - seq)) * headDim;
          const d0 = ((to * kvHeads + h) * capacity + at) * headDim;
          for (let x = 0; x < n; x++) dst[d0 + x] = src[s0 + x]!;
        }
      }
    }
  }

  prefill(slot: number, prompt: readonly number[], want: Want) {
    return this.prefillMany([slot], [prompt], want);
  }

  /**
   * Prompts right-padded to a whole number of chunks (the longest's), one row each, causal mask
   * and positions per row. A prompt alone gets the same padding to its own chunk multiple, so its
   * valid keys sit at the same places in every softmax and product, followed only by masked (zero)
   * terms: its logits and keys/values are bitwise those of a solo prefill.
   */
  async prefillMany(
    slots: readonly number[],
    prompts: readonly (readonly number[])[],
    want: Want,
    blocked?: readonly (Uint8Array | undefined)[],
  ) {
    if (blocked && !this.hasKnockout) {
      throw new Error(`the ${this.path} decoder has no knockout inputs`);
    }
    slots.forEach((slot) => {
      if (this.used[slot]) throw new Error(`prefill: row ${slot} is in use`);
    });
    const lengths = prompts.map((p) => p.length);
    const longest = Math.max(...lengths);
    this.checkPosition(longest - 1);
    const rows = prompts.length;
    // whole chunks, but never past the RoPE tables (onnxruntime refuses longer sequences)
    const seq = Math.min(roundUp(longest, this.slotChunk), this.c.maxPositions);
    const ids = new BigInt64Array(rows * seq);
    const mask = new BigInt64Array(rows * seq);
    const positions = new BigInt64Array(rows * seq);
    prompts.forEach((p, r) => {
      p.forEach((id, i) => (ids[r * seq + i] = BigInt(id)));
      mask.fill(1n, r * seq, r * seq + p.length);
      for (let i = 0; i < seq; i++) positions[r * seq + i] = BigInt(i);
    });
    const out = await this.run(
      {
        input_ids: new ort.Tensor('int64', ids, [rows, seq]),
        attention_mask: new ort.Tensor('int64', mask, [rows, seq]),
        position_ids: new ort.Tensor('int64', positions, [rows, seq]),
        ...this.cacheFeeds(rows, 0, null),
        ...(this.hasKnockout
          ? knockoutFeeds(knockoutKeys(blocked ?? [], seq, rows), rows, this.knockFrom)
          : {}),
      },
      want,
      rows,
    );
    this.fit(longest);
    slots.forEach((slot, r) => {
      this.store(out, lengths[r]!, r, slot, 0, true);
      this.used[slot] = lengths[r]!;
      const row = slot * (this.capacity + 1);
      this.stepMask.fill(1n, row, row + lengths[r]!);
      blocked?.[r]?.forEach((v, i) => (this.knockMask[row + i] = BigInt(v)));
    });
    return this.output(out, want, rows, lengths);
  }

  async step(tokens: readonly number[], want: Want) {
    const { slots } = this;
    const active = this.used.map((u) => u > 0);
    this.used.forEach((p) => this.checkPosition(p));
    this.fit();
    const out = await this.run(
      {
        // an empty row runs token 0 at position 0 against nothing but itself; it is dropped
        input_ids: int64(
          tokens.map((t, b) => (active[b] ? t : 0)),
          [slots, 1],
        ),
        attention_mask: new ort.Tensor('int64', this.stepMask, [slots, this.capacity + 1]),
        position_ids: int64(this.used, [slots, 1]),
        ...this.cacheFeeds(slots, this.capacity, this.cacheTensors),
        ...(this.hasKnockout ? knockoutFeeds(this.knockMask, slots, this.knockFrom) : {}),
      },
      want,
      slots,
    );
    for (let b = 0; b < slots; b++) {
      if (!active[b]) continue;
      this.store(out, 1, b, b, this.used[b]!);
      this.stepMask[b * (this.capacity + 1) + this.used[b]!] = 1n;
      this.used[b]! += 1;
    }
    return this.output(out, want, slots);
  }

  free(slot: number): void {
    const row = slot * (this.capacity + 1);
    this.stepMask.fill(0n, row, row + this.capacity);
    if (this.hasKnockout) this.knockMask.fill(0n, row, row + this.capacity);
    this.used[slot] = 0;
  }

  keep(slots: readonly number[]): void {
    const most = Math.max(0, ...slots.map((s) => this.used[s]!));
    this.resize(roundUp(most + 1, this.slotChunk), slots);
  }
}

/**
 * penalty_ids [rows, M]: each row's ids, padded by repeating its first id (ScatterElements then
 * writes the same value twice). Rows without ids (empty rows, or all when `ids` is null and the
 * output is not fetched) get id 0; their penalised argmax means nothing.
 */
function penaltyIds(ids: readonly (readonly number[])[] | null, rows: number): ort.Tensor {
  const m = Math.max(1, ...(ids ?? []).map((r) => r.length));
  const data = new BigInt64Array(rows * m);
  for (let b = 0; b < rows; b++) {
    const row = ids?.[b] ?? [];
    if (!row.length) continue; // zeros: only meaningful for empty rows, whose output is dropped
    for (let j = 0; j < m; j++) data[b * m + j] = BigInt(row[j < row.length ? j : 0]!);
  }
  return new ort.Tensor('int64', data, [rows, m]);
}

/** The fast decode graph of decoder-graph.ts (float32 cache, argmax output). */
export function externalKvDecoder(
  session: InferenceSession,
  kv: KvShape,
  maxPositions: number,
  slotChunk = KV_SLOT_CHUNK,
): StepDecoder {
  const convention: Convention = {
    path: 'external-kv',
    input: EXTERNAL_KV_INPUT,
    output: EXTERNAL_KV_OUTPUT,
    type: 'float32',
    maxPositions,
    ownsSession: true,
  };
  return new CachedStepDecoder(session, kv, convention, slotChunk);
}

/** An exported model.onnx (float32 or float16 cache); the session stays the caller's. */
export function presentDecoder(session: InferenceSession, kv: KvShape): StepDecoder {
  const type = pastKvType(session);
  if (!type) {
    throw new Error(
      `model has no float past_key_values.0.key input (inputs: ${session.inputNames.join(', ')})`,
    );
  }
  const convention: Convention = {
    path: 'present',
    input: pastName,
    output: presentName,
    type,
    maxPositions: Infinity,
    ownsSession: false,
  };
  return new CachedStepDecoder(session, kv, convention);
}
