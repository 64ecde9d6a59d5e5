// Stop ids for the batch-invariance tests: rows that stop at different steps exercise a batch
// that changes while it runs.

/** Up to 3 stop ids from the free-running completions that give the most distinct lengths. */
export function pickStops(free: number[][]): number[] {
  const lengths = (stops: number[]) =>
    free.map((t) => {
      const i = t.findIndex((id) => stops.includes(id));
      return i < 0 ? t.length : i + 1;
    });
  const stops: number[] = [];
  for (let n = 0; n < 3; n++) {
    let best: number | null = null;
    let bestScore = new Set(lengths(stops)).size;
    for (const id of new Set(free.flat())) {
      const score = new Set(lengths([...stops, id])).size;
      if (score > bestScore) [best, bestScore] = [id, score];
    }
    if (best === null) break;
    stops.push(best);
  }
  return stops;
}
