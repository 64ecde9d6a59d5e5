import { loadGsm8kFile } from '@exp/data';
import { describe, expect, it } from '@jest/globals';
import {
  getNoise,
  mixNoise,
  noisyRecords,
  questionSentenceIndex,
  splitSentences,
  stripNoise,
  type NoisePosition,
  type NoisyProblem,
  type Placement,
} from '../src/index.js';
import { GSM8K_TEST } from './shared.js';

const problems = loadGsm8kFile(GSM8K_TEST, 'gsm8k-test');
const place = (position: NoisePosition, sentences = 1): Placement => ({
  sentences,
  position,
  slots: 'shared',
});

/** Violations of the span rules for K sentences; [] when all hold. */
function spanProblems(records: NoisyProblem[], k: number): string[] {
  const bad: string[] = [];
  records.forEach((r, i) => {
    const p = problems[i]!;
    const say = (what: string) => bad.push(`${r.id}: ${what}`);
    if (r.noise.length !== k || r.sentences !== k) say(`${r.noise.length} spans`);
    let prev = -1;
    for (const s of r.noise) {
      if (r.question.slice(s.start, s.end) !== s.text) say('span text');
      if (s.start <= prev) say('spans overlap or out of order');
      prev = s.end;
    }
    if (new Set(r.noise.map((s) => s.text)).size !== k) say('repeated sentence');
    if (stripNoise(r.question, r.noise) !== p.question) say('strip');
    const before = splitSentences(p.question);
    const after = splitSentences(r.question);
    if (after.length !== before.length + k) say('sentence count');
    if (after.at(-1)!.text !== before.at(-1)!.text) say('question not last');
  });
  return bad;
}

describe('dose: --sentences K', () => {
  it.each([
    ['inf', 2],
    ['rcs', 2],
    ['sd', 2],
    ['inf', 4],
    ['rcs', 4],
  ])('%s K=%d: K distinct, disjoint, exact spans in every record', (type, k) => {
    const records = noisyRecords(problems, getNoise(type), 42, place('random', k));
    expect(records).toHaveLength(1319);
    expect(spanProblems(records, k)).toEqual([]);
  });

  it('keeps the random slots shared across types for K > 1', () => {
    /** Offsets in the original question where each span was inserted. */
    const slots = (r: NoisyProblem): number[] => {
      let inserted = 0;
      return r.noise.map((span) => {
        const at = span.start - inserted;
        inserted += span.end - span.start + r.question.slice(span.end).match(/^\s*/)![0].length;
        return at;
      });
    };
    const [inf, rcs, sd] = ['inf', 'rcs', 'sd'].map((t) =>
      noisyRecords(problems, getNoise(t), 42, place('random', 2)).map(slots),
    );
    expect(rcs).toEqual(inf);
    expect(sd).toEqual(inf);
    // Two draws, not one slot used twice: most problems with room get two different slots.
    const apart = inf!.filter(([a, b]) => a !== b).length;
    expect(apart).toBeGreaterThan(600);
  });
});

describe('position: --position', () => {
  /** Offsets in the original question where each named position puts noise (independent of src). */
  function expectedAt(question: string, position: NoisePosition): number {
    const s = splitSentences(question);
    const q = questionSentenceIndex(s);
    if (position === 'before-question' || q === 0) return s[0]!.start;
    if (position === 'early') return s[1]!.start;
    if (position === 'late') return s[q]!.start;
    const mid = (s[0]!.start + s[q]!.start) / 2;
    const starts = s.slice(1, q + 1).map((x) => x.start);
    return starts.reduce((a, b) => (Math.abs(b - mid) < Math.abs(a - mid) ? b : a));
  }

  it.each(['early', 'middle', 'late', 'before-question'] as const)(
    '%s: every sentence lands there, recorded per record',
    (position) => {
      for (const k of [1, 3]) {
        const records = noisyRecords(problems, getNoise('inf'), 42, place(position, k));
        expect(spanProblems(records, k)).toEqual([]);
        const wrong = records.filter((r) => {
          const at = expectedAt(r.original_question, position);
          // All K sentences sit together at the slot: the first starts at its offset and the
          // removed text is exactly the spans and their separators.
          const end = r.noise.at(-1)!.end;
          const sep = r.question.slice(end).match(/^\s*/)![0].length;
          return (
            r.position !== position ||
            r.noise[0]!.start !== at ||
            r.question.slice(0, at) !== r.original_question.slice(0, at) ||
            r.question.slice(end + sep) !== r.original_question.slice(at)
          );
        });
        expect(wrong.map((r) => r.id)).toEqual([]);
      }
    },
  );

  it('early, middle and late differ where the question has room', () => {
    const at = (p: NoisePosition) =>
      noisyRecords(problems, getNoise('rcs'), 42, place(p)).map((r) => r.noise[0]!.start);
    const [early, middle, late] = [at('early'), at('middle'), at('late')];
    const long = problems
      .map((p, i) => ({ i, q: questionSentenceIndex(splitSentences(p.question)) }))
      .filter((x) => x.q >= 4);
    expect(long.length).toBeGreaterThan(200);
    for (const { i } of long) {
      expect(early[i]!).toBeLessThanOrEqual(middle[i]!);
      expect(middle[i]!).toBeLessThan(late[i]!);
    }
    // Only a very long first sentence makes the middle boundary the early one.
    expect(long.filter(({ i }) => early[i] === middle[i]).length).toBeLessThan(long.length / 10);
    expect(
      noisyRecords(problems, getNoise('rcs'), 42, place('before-question'))[0]!.noise[0]!.start,
    ).toBe(0);
  });
});

describe('mix: --types mix --types-mix', () => {
  it('draws each sentence type from the list, labelling spans', () => {
    const mix = mixNoise([getNoise('inf'), getNoise('sd')]);
    const records = noisyRecords(problems, mix, 42, place('random', 3));
    expect(spanProblems(records, 3)).toEqual([]);
    const types = records.flatMap((r) => r.noise.map((s) => s.type));
    expect(new Set(types)).toEqual(new Set(['INF', 'SD']));
    const inf = types.filter((t) => t === 'INF').length / types.length;
    expect(inf).toBeGreaterThan(0.45);
    expect(inf).toBeLessThan(0.55);
    for (const r of records) {
      expect(r.noise_type).toBe('MIX');
      const sd = r.noise.filter((s) => s.type === 'SD');
      expect(r.topic).toBe(sd.length ? sd[0]!.topic : null);
    }
  });

  it('refuses a type that places its own noise', () => {
    const own = { name: 'own', description: 'x', inject: () => ({ question: 'q', noise: [] }) };
    expect(() => mixNoise([getNoise('inf'), own])).toThrow(
      "--types-mix: expected sentence noise types, 'own' places its own noise",
    );
  });
});
