// The run folder `<out>/<run-id>/` (the root README's "Runs" table): every path in it is built
// here, relative to the folder, and nowhere else. Names of files a package writes into any folder
// it is given (eval's sample logs and results table, train's loss.jsonl and final/) come from that
// package; this module places them in the run.
import path from 'node:path';
import { resultFiles, sampleLogPath, type ResultFiles } from '@exp/eval';
import { MODEL_FILE } from '@exp/models';
import { SFT_FINAL_DIR, SFT_LOSS_FILE } from '@exp/train';

export const MANIFEST = 'manifest.json';

/** A per-sample heat map's identity, as attention's SampleMap names it. */
interface MapKey {
  dataset: string;
  model: string;
  id: string;
  condition: string;
}

/** A model, dataset or id as a plain file name (the report's outputs are named after them). */
export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Paths inside a run folder, relative to it. */
export const RUN_PATHS = {
  manifest: MANIFEST,
  /** samples/<model>/<dataset>.jsonl, samples_<evalType>/... for another evaluation. */
  sampleLog: (model: string, dataset: string, evalType?: string) =>
    sampleLogPath('', model, dataset, evalType),
  /** The results table `exp run` writes: experiment_results.csv|.json|.arrow. */
  results: (): ResultFiles => resultFiles(''),
  /** Where `exp eval rescore --extractor NAME` writes its experiment_results.* */
  rescored: (extractor: string) => path.join('rescored', extractor),
  sftRoot: 'sft',
  /** The SFT step's folder of a model: loss.jsonl, checkpoint-<step>/, final/, onnx/. */
  sft: (model: string) => path.join('sft', model),
  sftLoss: (model: string) => path.join('sft', model, SFT_LOSS_FILE),
  sftFinal: (model: string) => path.join('sft', model, SFT_FINAL_DIR),
  sftOnnx: (model: string) => path.join('sft', model, 'onnx'),
  sftOnnxModel: (model: string) => path.join('sft', model, 'onnx', MODEL_FILE),
  /** likelihood/<model>/<dataset>.jsonl: the gold solution's likelihood per item (@exp/eval). */
  likelihoodRoot: 'likelihood',
  /**
   * likelihood_knockout/from_<L>/<model>/<dataset>.jsonl: the same records with the noise spans
   * knocked out from layer L on (L = 0: every layer).
   */
  likelihoodKnockoutRoot: (fromLayer: number) =>
    path.join('likelihood_knockout', `from_${fromLayer}`),
  /**
   * knockout_generate/: zero-shot generation with the noise knocked out in every layer
   * (--knockout-generate); its sample logs are samples/<model>/<dataset>.jsonl inside.
   */
  knockoutGenerateRoot: 'knockout_generate',
  knockoutSampleLog: (model: string, dataset: string) =>
    sampleLogPath('knockout_generate', model, dataset),
  /** likelihood_results.json: LikelihoodSummarySchema; .csv of its rows, pairs in _pairs.csv. */
  likelihoodResults: (ext: 'json' | 'csv') => `likelihood_results.${ext}`,
  likelihoodPairs: 'likelihood_pairs.csv',
  /** knockout_results.json (KnockoutTableSchema) and .csv of its rows. */
  knockoutResults: (ext: 'json' | 'csv') => `knockout_results.${ext}`,
  /** dose_response.json|.csv: eval's DoseResponseRow per extractor x type x position x model. */
  doseResponse: (ext: 'json' | 'csv') => `dose_response.${ext}`,
  /** evidence.json|.csv: the answer table "Does differential attention help?" (@exp/run). */
  evidence: (ext: 'json' | 'csv') => `evidence.${ext}`,
  attentionAnalysis: 'attention_analysis.json',
  attentionSamples: 'attention_samples',
  /** attention_samples/<dataset>/<model>/<id>.<condition>.json */
  attentionSample: (m: MapKey) =>
    path.join('attention_samples', m.dataset, m.model, `${m.id}.${m.condition}.json`),
  // the report's outputs (@exp/report writes them)
  tables: 'tables',
  table: (name: string, ext: string) => `tables/${name}.${ext}`,
  chart: (name: string, ext: 'svg' | 'png') => `charts/${name}.${ext}`,
  /** attention_maps/<dataset>_samples/<model>_<id>_<condition>.png */
  attentionMap: (m: MapKey) =>
    `attention_maps/${safeName(m.dataset)}_samples/${safeName(m.model)}_${safeName(m.id)}_${m.condition}.png`,
  reportMarkdown: 'report.md',
  reportHtml: 'report.html',
} as const;
