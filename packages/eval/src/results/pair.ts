// Which two models a results table compares (its `pair` option): the one place that decides it,
// for `exp run`, `exp eval rescore` and the report's table computed from sample logs.

/**
 * [DiffLlama, Llama] when the models (name -> { modelType }, as a run manifest's `models`
 * records them) hold exactly one model of each architecture; otherwise undefined.
 */
export function comparisonPair(
  models: Readonly<Record<string, { modelType?: string }>>,
): [string, string] | undefined {
  const of = (t: string) => Object.keys(models).filter((n) => models[n]!.modelType === t);
  const [diff, plain] = [of('diffllama'), of('llama')];
  return diff.length === 1 && plain.length === 1 ? [diff[0]!, plain[0]!] : undefined;
}
