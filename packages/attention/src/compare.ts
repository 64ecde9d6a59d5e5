// compareAttentionPatterns: for every set, model and problem, the clean and the noisy prompt are
// encoded, classified and run once each; every layer is reduced to metric values as it arrives
// and the per-sample values are aggregated into attention_analysis.json's blocks.
import { DEFAULT_SEED } from '@exp/data';
import { alignKmiTokens, classifyTokens, type ClassifiedPrompt } from './classes.js';
import { aggregateModel, type SampleRecord } from './aggregate.js';
import { differentialMaps, formHeads } from './differential.js';
import type { KmiClassifier } from './kmi.js';
import { forEachLayerAttention } from './maps.js';
import { reduceLayer, type PromptReduction, type SampleValues } from './reduce.js';
import { BOOTSTRAP_RESAMPLES } from './stats.js';
import type {
  AttentionAnalysis,
  AttentionItem,
  AttentionModel,
  AttentionSettings,
  LayerAttention,
  MapForm,
  SampleMap,
  TokenClass,
} from './types.js';

export const DEFAULT_ATTENTION_SEED = DEFAULT_SEED;
/** query 'generated': tokens generated greedily after the prompt, whose rows are averaged. */
export const DEFAULT_GENERATED_TOKENS = 32;
/** DiffLlama's default form: rows sum to 1 like Llama's softmax rows, so the two compare. */
export const DEFAULT_DIFFERENTIAL_FORM: MapForm = 'differential-normalised';

export interface AttentionSet {
  /** Dataset (noise type) name: the first key of attention_analysis.json. */
  name: string;
  /** clean[i] and noisy[i] are the same problem (same id). */
  clean: AttentionItem[];
  noisy: AttentionItem[];
}

export interface CompareOptions {
  models: AttentionModel[];
  sets: AttentionSet[];
  /** The first N problems of each set (default: all). */
  samples?: number;
  /** DiffLlama's map form (default differential-normalised); Llama maps are always 'softmax'. */
  form?: MapForm;
  classifier?: KmiClassifier;
  /** 'last': the last prompt row; 'generated': rows of the greedily generated tokens, averaged. */
  query?: 'last' | 'generated';
  /** query 'generated': how many tokens (default DEFAULT_GENERATED_TOKENS). */
  generatedTokens?: number;
  /** Remove special/template tokens' mass and renormalise the rest (default true). */
  excludeSpecial?: boolean;
  /** Seed of every bootstrap (default DEFAULT_ATTENTION_SEED). */
  seed?: number;
  /** Bootstrap resamples of each interval (default BOOTSTRAP_RESAMPLES). */
  bootstrap?: number;
  /** The heat map each SampleMap holds: layer (default 'last'), head (default 'mean'). */
  heatmap?: { layer?: number | 'last'; head?: number | 'mean' };
  onSampleMap?: (m: SampleMap) => void;
  /** Problems done (a clean + noisy pair counts one) of all sets and models. */
  onProgress?: (done: number, total: number) => void;
}

type Resolved = Required<
  Omit<CompareOptions, 'onSampleMap' | 'onProgress' | 'samples' | 'form' | 'heatmap'>
> &
  Pick<CompareOptions, 'onSampleMap' | 'form'> & {
    heatLayer: number | 'last';
    heatHead: number | 'mean';
  };

function checkSets(sets: readonly AttentionSet[], samples: number | undefined): number[] {
  if (sets.length === 0) throw new RangeError('sets: expected at least one set');
  if (samples !== undefined && !(Number.isInteger(samples) && samples > 0)) {
    throw new RangeError(`samples: expected a positive integer, got ${samples}`);
  }
  const names = new Set<string>();
  return sets.map((s) => {
    if (names.has(s.name)) throw new RangeError(`sets: ${s.name} is given twice`);
    names.add(s.name);
    if (s.clean.length !== s.noisy.length) {
      throw new RangeError(
        `set ${s.name}: ${s.clean.length} clean items but ${s.noisy.length} noisy ones`,
      );
    }
    const n = Math.min(samples ?? s.clean.length, s.clean.length);
    if (n === 0) throw new RangeError(`set ${s.name}: no items`);
    for (let i = 0; i < n; i++) {
      const [c, z] = [s.clean[i]!, s.noisy[i]!];
      if (c.id !== z.id)
        throw new RangeError(`set ${s.name}: item ${i} is ${c.id} clean but ${z.id} noisy`);
      if (c.noise.length) throw new RangeError(`set ${s.name}: clean item ${c.id} has noise spans`);
    }
    return n;
  });
}

/** The form a layer is analysed in: DiffLlama (a layer with lambda_full) in `form`, Llama in softmax. */
const formOf = (layer: LayerAttention, form: MapForm | undefined): MapForm =>
  layer.lambdaFull === null ? 'softmax' : (form ?? DEFAULT_DIFFERENTIAL_FORM);

/** The S x S heat map of one head, or the mean over heads, of a layer's maps in `form`. */
function heatMatrix(layer: LayerAttention, form: MapForm, head: number | 'mean'): number[][] {
  const maps = differentialMaps(layer, form);
  const heads = formHeads(layer, form);
  const { seq } = layer;
  if (head !== 'mean' && !(Number.isInteger(head) && head >= 0 && head < heads)) {
    throw new RangeError(`heatmap head ${head}: the ${form} maps have ${heads} heads`);
  }
  const picked = head === 'mean' ? Array.from({ length: heads }, (_, h) => h) : [head];
  return Array.from({ length: seq }, (_, i) =>
    Array.from({ length: seq }, (_, j) => {
      let s = 0;
      for (const h of picked) s += maps[h * seq * seq + i * seq + j]!;
      return s / picked.length;
    }),
  );
}

interface Analysed {
  values: SampleValues;
  prompt: ClassifiedPrompt;
  shape: { layers: number; heads: number; form: MapForm };
}

/** Encodes, classifies and runs one prompt, reducing each layer as it arrives. */
async function analysePrompt(
  model: AttentionModel,
  item: AttentionItem,
  condition: 'clean' | 'noisy',
  dataset: string,
  o: Resolved,
  pairing: {
    keep?: Map<string, Float64Array>;
    clean?: { prompt: ClassifiedPrompt; shares: Map<string, Float64Array> };
  },
): Promise<Analysed> {
  const encoding = model.tokenizer.encode(item.prompt);
  const classified = classifyTokens(item, encoding, o.classifier);
  const prompt: ClassifiedPrompt = { item, encoding, classes: classified };
  const ids = [...encoding.ids];
  const classes: TokenClass[] = [...classified.classes];
  // Heat-map labels are the prompt text each token covers ("ducks", " 16"), not byte-level token
  // strings ("Ġducks"); a zero-width special token keeps its name.
  const tokens = encoding.offsets.map(([s, e], i) =>
    e > s ? item.prompt.slice(s, e) : encoding.tokens[i]!,
  );
  const offsets = encoding.offsets.map(([s, e]): [number, number] => [s, e]);
  let rows = [ids.length - 1];
  if (o.query === 'generated') {
    const [gen] = await model.lm.generate([ids], {
      maxNewTokens: o.generatedTokens,
      doSample: false,
    });
    const extra = gen!.tokens;
    // Row S-1 predicts the first generated token; row S-2+g the last one.
    rows = Array.from({ length: extra.length }, (_, k) => ids.length - 1 + k);
    for (const id of extra) {
      ids.push(id);
      classes.push('special'); // outside the question: template-like, removed with excludeSpecial
      tokens.push(model.tokenizer.decode([id]));
      offsets.push([item.prompt.length, item.prompt.length]);
    }
    if (rows.length === 0) rows = [ids.length - 1];
  }
  const values: SampleValues = new Map();
  const reduction: PromptReduction = {
    classes,
    rows,
    excludeSpecial: o.excludeSpecial,
    form: 'softmax',
    ...(pairing.keep ? { keepShares: pairing.keep } : {}),
    ...(pairing.clean
      ? {
          paired: {
            shares: pairing.clean.shares,
            pairs: alignKmiTokens(pairing.clean.prompt, prompt),
          },
        }
      : {}),
  };
  let heat: { layer: number; matrix: number[][] } | null = null;
  let form: MapForm = 'softmax';
  let analysedHeads = 0;
  const shape = await forEachLayerAttention(model.lm, ids, (layer) => {
    form = formOf(layer, o.form);
    analysedHeads = formHeads(layer, form);
    reduceLayer(layer, { ...reduction, form }, values);
    if (o.onSampleMap && (o.heatLayer === 'last' || o.heatLayer === layer.layer)) {
      heat = { layer: layer.layer, matrix: heatMatrix(layer, form, o.heatHead) };
    }
  });
  if (o.onSampleMap) {
    if (heat === null) {
      throw new RangeError(
        `heatmap layer ${String(o.heatLayer)}: model ${model.name} has ${shape.layers} layers`,
      );
    }
    const { layer, matrix } = heat as { layer: number; matrix: number[][] };
    o.onSampleMap({
      id: item.id,
      model: model.name,
      dataset,
      condition,
      tokens,
      offsets,
      classes,
      question: classified.question,
      layer,
      head: o.heatHead,
      form,
      matrix,
    });
  }
  return { values, prompt, shape: { layers: shape.layers, heads: analysedHeads, form } };
}

/**
 * Measures where each model looks on each set's clean and noisy prompts. Returns
 * set name -> model name -> ModelAttention (see README for every metric and the json shape).
 */
export async function compareAttentionPatterns(opts: CompareOptions): Promise<AttentionAnalysis> {
  if (opts.models.length === 0) throw new RangeError('models: expected at least one model');
  const modelNames = opts.models.map((m) => m.name);
  const twice = modelNames.find((n, i) => modelNames.indexOf(n) !== i);
  if (twice !== undefined) throw new RangeError(`models: ${twice} is given twice`);
  const counts = checkSets(opts.sets, opts.samples);
  const o: Resolved = {
    models: opts.models,
    sets: opts.sets,
    classifier: opts.classifier ?? 'exp',
    query: opts.query ?? 'last',
    generatedTokens: opts.generatedTokens ?? DEFAULT_GENERATED_TOKENS,
    excludeSpecial: opts.excludeSpecial ?? true,
    seed: opts.seed ?? DEFAULT_ATTENTION_SEED,
    bootstrap: opts.bootstrap ?? BOOTSTRAP_RESAMPLES,
    form: opts.form,
    onSampleMap: opts.onSampleMap,
    heatLayer: opts.heatmap?.layer ?? 'last',
    heatHead: opts.heatmap?.head ?? 'mean',
  };
  const total = opts.models.length * counts.reduce((a, b) => a + b, 0);
  let done = 0;
  const analysis: AttentionAnalysis = {};
  for (const [k, set] of opts.sets.entries()) {
    analysis[set.name] = {};
    for (const model of opts.models) {
      const samples: SampleRecord[] = [];
      let shape: Analysed['shape'] | null = null;
      for (let i = 0; i < counts[k]!; i++) {
        const shares = new Map<string, Float64Array>();
        const clean = await analysePrompt(model, set.clean[i]!, 'clean', set.name, o, {
          keep: shares,
        });
        const noisy = await analysePrompt(model, set.noisy[i]!, 'noisy', set.name, o, {
          clean: { prompt: clean.prompt, shares },
        });
        shape ??= clean.shape;
        const correct = set.noisy[i]!.correct;
        samples.push({
          clean: clean.values,
          noisy: noisy.values,
          ...(correct === undefined ? {} : { correct }),
        });
        opts.onProgress?.(++done, total);
      }
      const settings: AttentionSettings = {
        form: shape!.form,
        classifier: o.classifier,
        query: o.query,
        excludeSpecial: o.excludeSpecial,
        samples: counts[k]!,
        layers: shape!.layers,
        heads: shape!.heads,
        seed: o.seed,
        bootstrap: o.bootstrap,
        ...(o.query === 'generated' ? { generatedTokens: o.generatedTokens } : {}),
      };
      analysis[set.name]![model.name] = aggregateModel(samples, {
        settings,
        seed: `${o.seed}/${set.name}/${model.name}`,
        resamples: o.bootstrap,
      });
    }
  }
  return analysis;
}
