// "Did you mean" for mistyped names (commands, datasets). Levenshtein distance written out: ten
// lines, where a dependency would add a package for one loop.

export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** The known names within two edits of `word` (one for names of two letters). */
export function nearNames(word: string, known: readonly string[]): string[] {
  return known.filter((k) => editDistance(k, word) <= Math.min(2, k.length - 1));
}

/** `; did you mean a or b?` for the near names, or ''. */
export function didYouMean(word: string, known: readonly string[]): string {
  const near = nearNames(word, known);
  return near.length ? `; did you mean ${near.join(' or ')}?` : '';
}
