// CausalLM.score() at run time (the graph side is score-graph.ts): the caller's per-position
// targets and extra ids become score_positions [B, N] and score_ids [B, N, K] (N: the most
// scored positions of a row, K: 1 + the most extra ids at a position; short rows and unused
// slots are padded with position 0 / id 0 and their values dropped), and the outputs go back
// to [B, S] per position.
import type { Feeds } from './decoder-io.js';
import { ort } from './ort.js';
import { SCORE_IDS_INPUT, SCORE_POSITIONS_INPUT } from './score-graph.js';

/** Extra token ids whose log-probability is wanted at one position of one row. */
export interface ScoreExtra {
  row: number;
  /** A column of inputIds: its next-token distribution is read. */
  position: number;
  ids: readonly number[];
}

/** Where each scored value sits in the packed [B, N, K] output. */
export interface ScorePlan {
  feeds: Feeds;
  /** Per row, its scored positions in slot order. */
  slots: number[][];
  k: number;
  n: number;
  /** Per extra, its slot in its row. */
  extraSlot: number[];
}

function checkId(what: string, id: number, vocab: number) {
  if (!Number.isInteger(id) || id < 0 || id >= vocab) {
    throw new Error(`${what} = ${id}, expected an integer token id in [0, ${vocab})`);
  }
}

/**
 * Packs `targets` ([B][S]: the id scored at each position, -1 to skip it) and `extras` into the
 * score inputs; throws one line naming the bad field.
 */
export function scorePlan(
  targets: readonly (readonly number[])[],
  extras: readonly ScoreExtra[],
  batch: number,
  seq: number,
  vocab: number,
): ScorePlan {
  if (targets.length !== batch) {
    throw new Error(`score: targets has ${targets.length} rows, expected ${batch}`);
  }
  const slotOf = targets.map(() => new Map<number, number>());
  const slots: number[][] = targets.map(() => []);
  const take = (row: number, t: number) => {
    let s = slotOf[row]!.get(t);
    if (s === undefined) {
      s = slots[row]!.push(t) - 1;
      slotOf[row]!.set(t, s);
    }
    return s;
  };
  targets.forEach((row, b) => {
    if (row.length !== seq) {
      throw new Error(`score: targets[${b}] has ${row.length} positions, expected ${seq}`);
    }
    row.forEach((id, t) => {
      if (id === -1) return;
      checkId(`score: targets[${b}][${t}]`, id, vocab);
      take(b, t);
    });
  });
  let k = 1;
  const seen = new Set<string>();
  const extraSlot = extras.map((e, j) => {
    if (!Number.isInteger(e.row) || e.row < 0 || e.row >= batch) {
      throw new Error(`score: extraIds[${j}].row = ${e.row}, expected an integer in [0, ${batch})`);
    }
    if (!Number.isInteger(e.position) || e.position < 0 || e.position >= seq) {
      throw new Error(
        `score: extraIds[${j}].position = ${e.position}, expected an integer in [0, ${seq})`,
      );
    }
    e.ids.forEach((id, i) => checkId(`score: extraIds[${j}].ids[${i}]`, id, vocab));
    const key = `${e.row},${e.position}`;
    if (seen.has(key)) {
      throw new Error(`score: extraIds[${j}] repeats row ${e.row} position ${e.position}`);
    }
    seen.add(key);
    k = Math.max(k, 1 + e.ids.length);
    return take(e.row, e.position);
  });
  const n = Math.max(1, ...slots.map((s) => s.length));
  const positions = new BigInt64Array(batch * n);
  const ids = new BigInt64Array(batch * n * k);
  slots.forEach((row, b) =>
    row.forEach((t, s) => {
      positions[b * n + s] = BigInt(t);
      const target = targets[b]![t]!;
      if (target >= 0) ids[(b * n + s) * k] = BigInt(target);
    }),
  );
  extras.forEach((e, j) => {
    const at = (e.row * n + extraSlot[j]!) * k;
    e.ids.forEach((id, i) => (ids[at + 1 + i] = BigInt(id)));
  });
  return {
    feeds: {
      [SCORE_POSITIONS_INPUT]: new ort.Tensor('int64', positions, [batch, n]),
      [SCORE_IDS_INPUT]: new ort.Tensor('int64', ids, [batch, n, k]),
    },
    slots,
    k,
    n,
    extraSlot,
  };
}
