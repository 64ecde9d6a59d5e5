import type { Rng } from '@exp/data';
import { formatInt } from '../text/numbers.js';

/**
 * Fills a template: `{n:LO-HI}` or `{n:LO-HI:STEP}` draws an integer (thousands with commas),
 * `{list}` draws an entry of `lists.list`. Slots are filled left to right, then the first letter
 * is capitalised (a slot may open the sentence).
 */
export function fillTemplate(
  template: string,
  lists: Readonly<Record<string, readonly string[]>>,
  rng: Rng,
): string {
  const text = template.replace(/\{([^}]+)\}/gu, (_whole, slot: string) => {
    const num = /^n:(\d+)-(\d+)(?::(\d+))?$/u.exec(slot);
    if (num) {
      const [lo, hi, step] = [Number(num[1]), Number(num[2]), Number(num[3] ?? 1)];
      return formatInt(lo + step * rng.int(Math.floor((hi - lo) / step) + 1));
    }
    const list = lists[slot];
    if (!list) throw new Error(`template "${template}": unknown slot {${slot}}`);
    return rng.pick(list);
  });
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The slot names of a template, for checking a bank. */
export function templateSlots(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/gu)].map((m) => m[1]);
}
