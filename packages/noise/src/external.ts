// External noisy benchmarks (GSM-Plus "distraction insertion" and the like): the noisy question
// and the clean one it was made from are given, but not where the noise went. A word diff (jsdiff)
// finds the inserted text; the record is an insertion with exact spans when removing them gives
// back the clean question, and a rewrite otherwise.
import {
  BENCHMARK_PRESETS,
  importBenchmark,
  importPreset,
  type ImportBenchmarkOptions,
  type Problem,
} from '@exp/data';
import { diffWordsWithSpace } from 'diff';
import { NoiseError } from './errors.js';
import type { NoiseSpan } from './insert.js';
import type { NoisyProblem } from './records.js';

/** What the noisy question is to the clean one: text inserted at `spans`, or changed otherwise. */
export type RecoveredNoise = { kind: 'insertion'; spans: NoiseSpan[] } | { kind: 'rewrite' };

/** `noise_type` of an imported record when neither the caller nor the preset names one. */
export const DEFAULT_EXTERNAL_NOISE_TYPE = 'EXTERNAL';

/** A half-open range of the noisy question. */
interface Range {
  start: number;
  end: number;
}

const isBlank = (s: string): boolean => s.trim() === '';

/** The text with every whitespace run made one space and the ends trimmed. */
export function squashWhitespace(s: string): string {
  return s.replace(/\s+/gu, ' ').trim();
}

/** The range without the whitespace at its ends (empty ranges stay where they start). */
function trimRange(text: string, r: Range): Range {
  let { start, end } = r;
  while (start < end && /\s/u.test(text[start])) start++;
  while (end > start && /\s/u.test(text[end - 1])) end--;
  return { start, end };
}

/**
 * The runs of `noisy` that a word diff (words, punctuation and whitespace runs as tokens) marks
 * as added, trimmed, whitespace-only ones left out; null when the diff removes any word or
 * punctuation of `original` (then `noisy` is not `original` plus inserted text).
 */
function addedRanges(original: string, noisy: string): Range[] | null {
  const out: Range[] = [];
  let at = 0;
  for (const change of diffWordsWithSpace(original, noisy)) {
    if (change.removed) {
      if (!isBlank(change.value)) return null;
      continue;
    }
    const end = at + change.value.length;
    if (change.added && !isBlank(change.value)) out.push(trimRange(noisy, { start: at, end }));
    at = end;
  }
  return out;
}

/**
 * One pass of joining two neighbouring ranges into one: when only whitespace separates them, or
 * when the kept text `g` between them also ends the second range (`A g B'g` -> remove `A g B'`)
 * or starts the first (`gA' g B` -> remove `A' g B`). A minimal diff aligns a repeated word or
 * "." of an inserted sentence with the clean text, splitting the sentence in two; removing the
 * joined range leaves the same text. Returns null when no two ranges join.
 */
function joinOnce(noisy: string, ranges: readonly Range[]): Range[] | null {
  for (let i = 0; i + 1 < ranges.length; i++) {
    const a = ranges[i];
    const b = ranges[i + 1];
    const gap = noisy.slice(a.end, b.start);
    let joined: Range | null = null;
    if (isBlank(gap)) joined = { start: a.start, end: b.end };
    else {
      const kept = gap.trim();
      const aText = noisy.slice(a.start, a.end);
      const bText = noisy.slice(b.start, b.end);
      if (bText.length > kept.length && bText.endsWith(kept))
        joined = trimRange(noisy, { start: a.start, end: b.end - kept.length });
      else if (aText.length > kept.length && aText.startsWith(kept))
        joined = trimRange(noisy, { start: a.start + kept.length, end: b.end });
    }
    if (joined) return [...ranges.slice(0, i), joined, ...ranges.slice(i + 2)];
  }
  return null;
}

function joinAll(noisy: string, ranges: Range[]): Range[] {
  for (let next = joinOnce(noisy, ranges); next; next = joinOnce(noisy, ranges)) ranges = next;
  return ranges;
}

/**
 * How well a range sits on sentence or clause boundaries, 0-3 at each end. Start: 3 at the text's
 * start or after a sentence's end, 2 opening a clause with ",", ";" or ":", 1 after whitespace.
 * End: 3 at the text's end or a sentence's end before whitespace, 2 before punctuation, 1 before
 * whitespace. Inside a word both are 0.
 */
function boundaryScore(noisy: string, r: Range): number {
  const before = noisy.slice(0, r.start);
  const text = noisy.slice(r.start, r.end);
  const after = noisy.slice(r.end);
  const start =
    before === '' || /[.!?]["'”’)\]]*\s+$/u.test(before)
      ? 3
      : /^[,;:]/u.test(text)
        ? 2
        : /\s$/u.test(before)
          ? 1
          : 0;
  const end =
    after === '' || (/[.!?]["'”’)\]]*$/u.test(text) && /^\s/u.test(after))
      ? 3
      : /^[,.;:!?)\]]/u.test(after)
        ? 2
        : /^\s/u.test(after)
          ? 1
          : 0;
  return start + end;
}

/**
 * Moves a range to where it sits best on sentence boundaries without changing what removing it
 * leaves. The removed text, the range plus the whitespace after it, may slide by k characters
 * when the k characters it gives up equal the k it takes on, within `[lo, hi)`. A minimal diff
 * puts "cat eats ... minutes. A " after the clean "A "; sliding gives "A cat eats ... minutes.".
 * Ties keep the diff's place. (Hand-written: jsdiff has no semantic clean-up step like
 * diff-match-patch's cleanupSemanticLossless, which slides edits by a similar boundary score.)
 */
function slide(noisy: string, r: Range, lo: number, hi: number): Range {
  const joint = /^\s*/u.exec(noisy.slice(r.end))![0].length;
  const removed = { start: r.start, end: Math.min(r.end + joint, hi) };
  let best = r;
  let bestScore = boundaryScore(noisy, r);
  const consider = (s: number, e: number): void => {
    const t = trimRange(noisy, { start: s, end: e });
    const score = boundaryScore(noisy, t);
    if (t.end > t.start && score > bestScore) [best, bestScore] = [t, score];
  };
  for (let k = 1; removed.start - k >= lo; k++) {
    if (noisy[removed.start - k] !== noisy[removed.end - k]) break;
    consider(removed.start - k, removed.end - k);
  }
  for (let k = 1; removed.end + k <= hi; k++) {
    if (noisy[removed.start + k - 1] !== noisy[removed.end + k - 1]) break;
    consider(removed.start + k, removed.end + k);
  }
  return best;
}

/**
 * Undoes text insertion: removes every span and one whitespace run beside it, the one the
 * insertion brought. Between whitespace on both sides, or at the start, that is the run after it
 * (as `stripNoise` removes, so the two agree on the built-in noise types' records); before
 * punctuation or at the end it is the run before ("sauce" + " " + span + "." -> "sauce."); a
 * span with whitespace on one side only, between words, keeps it ("carrots" + "," + " and" ->
 * "carrots and", where removing the run after would give "carrotsand").
 */
export function stripInsertions(question: string, spans: readonly NoiseSpan[]): string {
  let out = question;
  for (const span of [...spans].sort((a, b) => b.start - a.start)) {
    const left = out.slice(0, span.start);
    const right = out.slice(span.end);
    const before = /\s*$/u.exec(left)![0].length;
    const after = /^\s*/u.exec(right)![0].length;
    if (left === '' || (before > 0 && after > 0)) out = left + right.slice(after);
    else if (after === 0 && /^(?:$|[,.;:!?)\]])/u.test(right))
      out = left.slice(0, left.length - before) + right;
    else out = left + right;
  }
  return out;
}

/**
 * Where text was inserted into `original` to make `noisy`. `insertion`: every span is exact
 * (`noisy.slice(start, end) === text`), trimmed, in order, and removing them with `stripInsertions`
 * gives back `original` up to whitespace (runs collapsed, ends trimmed); an inserted sentence is
 * one span, and pieces only whitespace apart are one span. `rewrite`: anything else (a word or
 * punctuation mark of `original` deleted or replaced); no spans.
 */
export function recoverInsertions(original: string, noisy: string): RecoveredNoise {
  const added = addedRanges(original, noisy);
  if (!added) return { kind: 'rewrite' };
  const joined = joinAll(noisy, added);
  const slid: Range[] = [];
  joined.forEach((r, i) =>
    slid.push(slide(noisy, r, slid.at(-1)?.end ?? 0, joined[i + 1]?.start ?? noisy.length)),
  );
  const spans = joinAll(noisy, slid).map(({ start, end }) => ({
    text: noisy.slice(start, end),
    start,
    end,
  }));
  const ordered = spans.every((s, i) => s.end > s.start && (i === 0 || spans[i - 1].end < s.start));
  return ordered && squashWhitespace(stripInsertions(noisy, spans)) === squashWhitespace(original)
    ? { kind: 'insertion', spans }
    : { kind: 'rewrite' };
}

/** A noisy record of an imported problem whose clean question is `original_question`. */
export function externalNoisyProblem(
  p: Problem & { original_question: string },
  noiseType: string,
): NoisyProblem {
  const found = recoverInsertions(p.original_question, p.question);
  return {
    id: p.id,
    question: p.question,
    answer: p.answer,
    final: p.final,
    original_question: p.original_question,
    noise_type: noiseType,
    noise: found.kind === 'insertion' ? found.spans : [],
    noise_kind: found.kind,
    seed: null,
  };
}

function noisyProblems(
  problems: ReturnType<typeof importBenchmark>,
  noiseType: string,
): NoisyProblem[] {
  return problems.map(({ original_question, ...p }) => {
    // importBenchmark sets original_question on every record when fields.original is mapped.
    if (original_question === undefined) throw new NoiseError(`${p.id}: no original question`);
    return externalNoisyProblem({ ...p, original_question }, noiseType);
  });
}

/**
 * Imports a noisy benchmark: `importBenchmark` with `fields.original` (the clean question) required,
 * each record with the spans `recoverInsertions` finds. `noiseType` defaults to 'EXTERNAL'.
 */
export function importNoisyBenchmark(
  opts: ImportBenchmarkOptions & { noiseType?: string },
): NoisyProblem[] {
  const { noiseType = DEFAULT_EXTERNAL_NOISE_TYPE, ...spec } = opts;
  if (!spec.fields?.original) {
    throw new NoiseError(
      `import spec for ${spec.name}: fields.original: expected the field holding the clean question (e.g. seed_question)`,
    );
  }
  if (noiseType.trim() === '')
    throw new NoiseError(`import spec for ${spec.name}: empty noiseType`);
  return noisyProblems(importBenchmark(spec), noiseType);
}

/** Imports a file with a named preset as a noisy set (the preset must map `original`). */
export function importNoisyPreset(name: string, file: string): NoisyProblem[] {
  const problems = importPreset(name, file);
  const preset = BENCHMARK_PRESETS[name];
  if (!preset.fields.original) {
    throw new NoiseError(
      `benchmark preset "${name}" maps no original (clean) question; it cannot give noise spans`,
    );
  }
  return noisyProblems(problems, preset.noiseType ?? DEFAULT_EXTERNAL_NOISE_TYPE);
}
