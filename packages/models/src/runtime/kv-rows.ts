// Cache buffers are [rows, KV, slots, d] row-major; rows join, leave and are compacted by
// copying each kept row's filled slots (always its first ones) into a new buffer.

export type KvData = Float32Array | Uint16Array;

export interface RowSource {
  data: KvData;
  /** Row of `data` to copy from and the slot count of `data`'s layout. */
  row: number;
  slots: number;
  /** Slots 0..keep-1 are copied (one block per head). */
  keep: number;
}

/** Fills `dst` ([rows, kvHeads, dstSlots, headDim]); row i takes sources[i] (null: stays zero). */
export function packRows(
  dst: KvData,
  dstSlots: number,
  kvHeads: number,
  headDim: number,
  sources: readonly (RowSource | null)[],
): void {
  sources.forEach((src, i) => {
    if (!src) return;
    for (let h = 0; h < kvHeads; h++) {
      const from = (src.row * kvHeads + h) * src.slots * headDim;
      const to = (i * kvHeads + h) * dstSlots * headDim;
      dst.set(src.data.subarray(from, from + src.keep * headDim), to);
    }
  });
}

/** Slot counts are rounded up to chunks so that most steps reuse the same buffers. */
export function roundUp(n: number, chunk: number): number {
  return Math.ceil(n / chunk) * chunk;
}
