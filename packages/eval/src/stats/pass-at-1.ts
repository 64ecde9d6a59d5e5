/** Checks a list of per-item outcomes is usable: at least one item. */
export function checkOutcomes(correct: readonly boolean[], what: string): void {
  if (correct.length === 0) throw new RangeError(`${what}: expected at least one item, got none`);
}

/** Pass@1 of greedy completions: the share of items answered correctly. */
export function passAt1(correct: readonly boolean[]): number {
  checkOutcomes(correct, 'passAt1');
  return countTrue(correct) / correct.length;
}

export function countTrue(xs: readonly boolean[]): number {
  let n = 0;
  for (const x of xs) if (x) n++;
  return n;
}

/** Two outcome lists over the same items, in the same order. */
export function checkPaired(a: readonly boolean[], b: readonly boolean[], what: string): void {
  checkOutcomes(a, what);
  if (a.length !== b.length) {
    throw new RangeError(
      `${what}: expected outcomes of the same items, got ${a.length} and ${b.length}`,
    );
  }
}
