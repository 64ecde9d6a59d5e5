// Attention knockout at run time (the graph side is arch/knockout.ts): the caller names token
// spans per row; they become the knockout_keys rows (1 = blocked key) and knockout_from_layer.
import { KNOCKOUT_FROM_LAYER_INPUT, KNOCKOUT_KEYS_INPUT } from '../arch/knockout.js';
import type { Feeds } from './decoder-io.js';
import { ort } from './ort.js';

export { KNOCKOUT_FROM_LAYER_INPUT, KNOCKOUT_KEYS_INPUT };

/**
 * Attention knockout: in layers >= fromLayer, queries outside a row's spans cannot attend to the
 * tokens inside them (those get finfo(float32).min added, as masked keys do); tokens inside a
 * span attend normally. Spans are [start, end) token positions of the row (forward: columns of
 * inputIds; generate: tokens of the prompt). During generation the spans stay blocked for every
 * generated token; generated tokens are never blocked.
 */
export interface Knockout {
  /** Per row (prompt), its [start, end) spans; an empty list knocks nothing out. */
  spans: readonly (readonly (readonly [number, number])[])[];
  /** First layer the knockout applies to, 0-based (default 0: every layer). */
  fromLayer?: number;
}

/** A knockout checked against the rows: blocked positions per row (1 = blocked). */
export interface ResolvedKnockout {
  fromLayer: number;
  blocked: Uint8Array[];
}

/**
 * Checks `k` against rows of the given lengths and `layers` layers; throws one line naming the
 * bad field. `what` names the call in the message (e.g. 'forward').
 */
export function resolveKnockout(
  what: string,
  k: Knockout,
  lengths: readonly number[],
  layers: number,
): ResolvedKnockout {
  const fromLayer = k.fromLayer ?? 0;
  if (!Number.isInteger(fromLayer) || fromLayer < 0 || fromLayer >= layers) {
    throw new Error(
      `${what}: knockout.fromLayer = ${fromLayer}, expected an integer in [0, ${layers})`,
    );
  }
  if (k.spans.length !== lengths.length) {
    throw new Error(
      `${what}: knockout.spans has ${k.spans.length} rows, expected ${lengths.length}`,
    );
  }
  const blocked = k.spans.map((spans, r) => {
    const row = new Uint8Array(lengths[r]!);
    spans.forEach(([start, end], j) => {
      const ok = Number.isInteger(start) && Number.isInteger(end);
      if (!ok || start < 0 || end <= start || end > row.length) {
        throw new Error(
          `${what}: knockout.spans[${r}][${j}] = [${start}, ${end}], expected integers ` +
            `0 <= start < end <= ${row.length}`,
        );
      }
      row.fill(1, start, end);
    });
    return row;
  });
  return { fromLayer, blocked };
}

/** The knockout inputs: keys [B, T] (row-major, 0/1) and the first layer. */
export function knockoutFeeds(keys: BigInt64Array, batch: number, fromLayer: number): Feeds {
  return {
    [KNOCKOUT_KEYS_INPUT]: new ort.Tensor('int64', keys, [batch, keys.length / batch]),
    [KNOCKOUT_FROM_LAYER_INPUT]: new ort.Tensor('int64', BigInt64Array.of(BigInt(fromLayer)), [1]),
  };
}

/** Rows of blocked positions as knockout_keys [batch, total] (zeros past each given row). */
export function knockoutKeys(
  rows: readonly (Uint8Array | undefined)[],
  total: number,
  batch = rows.length,
) {
  const keys = new BigInt64Array(batch * total);
  rows.forEach((row, b) => row?.forEach((v, i) => (keys[b * total + i] = BigInt(v))));
  return keys;
}
