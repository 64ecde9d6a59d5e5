// buildReport: a run folder in, its report out (tables/, charts/, attention_maps/, report.html,
// report.md), from the folder's files alone. Reading, chart specs, rendering and page building
// are separate units; this file only decides what to draw and where it goes.
import path from 'node:path';
import { writeFileAtomic, BASELINE_DATASET } from '@exp/data';
import { writeResults } from '@exp/eval';
import {
  attentionRatiosSpec,
  headMapSpec,
  hasPerLayer,
  metricLabel,
  niLiftByLayerSpec,
  noisyOnly,
  perHeadMetrics,
} from './charts/attention.js';
import { modelColours, type ModelColours, type Spec } from './charts/common.js';
import {
  doseResponseSpec,
  hasKnockoutLayers,
  knockoutLayersSpec,
  knockoutRecoverySpec,
  likelihoodEffectSpec,
} from './charts/evidence.js';
import { heatmapSpec } from './charts/heatmap.js';
import { degradationSpec, headlineExtractor, modelComparisonSpec } from './charts/results.js';
import { sftLossSpec } from './charts/sft.js';
import { renderJobs } from './render/pool.js';
import type { ChartEntry, MapEntry, ReportContent, TableEntry } from './report/content.js';
import { inlinedBytes, inlinesImages, reportHtml } from './report/html.js';
import { reportMarkdown } from './report/markdown.js';
import {
  EVIDENCE_LIKELIHOOD_MEASURES,
  readRun,
  RUN_PATHS,
  safeName,
  type ReadRunOptions,
  type RunData,
} from '@exp/run';
import { attentionTables } from './tables/attention.js';

export interface BuildReportOptions extends ReadRunOptions {
  /** The extractor the charts show; default 'strict' when the run has it, else its first. */
  extractor?: string;
  /** Tokens shown either side of the question in sample maps; default 3. */
  mapContext?: number;
  /** PNG scale factor; default 2. */
  zoom?: number;
  /**
   * Metrics drawn as layer x head maps (head_map_<metric>), those the analysis has; 'all' for
   * every metric with a per-head grid. Default HEAD_MAP_METRICS.
   */
  headMaps?: readonly string[] | 'all';
  /** Render threads; default the machine's parallelism (up to 8); 1 renders on this thread. */
  threads?: number;
  /**
   * report.html with every PNG inlined (true) or linked by relative path (false); default: inlined
   * while the PNGs take at most `inlineLimit` bytes as base64 (INLINE_LIMIT, 5 MiB), else linked.
   */
  selfContained?: boolean;
  /** See `selfContained`; default INLINE_LIMIT. */
  inlineLimit?: number;
}

export interface BuildReportResult {
  /** Every file written, absolute, in writing order. */
  files: string[];
  /** What the report could not show, one line each (also listed in report.md and report.html). */
  notes: string[];
  /** Whether report.html inlines its PNGs, and how many bytes they take inlined (base64). */
  html: { selfContained: boolean; imageBytes: number };
}

/**
 * The head maps a report draws by default: where noise attention sits (NI lift, NI mass), how
 * much KMI attention the noise takes away (distraction), and DiffLlama's cancellation of NI.
 */
export const HEAD_MAP_METRICS: readonly string[] = [
  'lift_ni',
  'mass_ni',
  'distraction',
  'cancellation_ni',
];

interface PlannedChart {
  name: string;
  title: string;
  description: string;
  spec: Spec;
  section?: 'evidence';
}

/** The charts of the section "Does differential attention help?", those the run has data for. */
function evidenceCharts(
  run: RunData,
  extractor: string | undefined,
  baseline: string,
  colours: ModelColours,
): PlannedChart[] {
  const charts: PlannedChart[] = [];
  const section = 'evidence' as const;
  const measures = [...EVIDENCE_LIKELIHOOD_MEASURES.keys()];
  const lik = run.likelihood;
  if (lik && lik.rows.some((r) => measures.includes(r.measure) && r.effect !== null)) {
    charts.push({
      name: 'likelihood_effect',
      title: 'Likelihood noise effect per model and set',
      description: `noisy − clean of ${measures.join(', ')}; the pair's difference with its paired bootstrap 95% CI`,
      spec: likelihoodEffectSpec(lik, measures, colours),
      section,
    });
  }
  const ko = run.knockout ?? [];
  if (ko.some((r) => r.from_layer === 0 && r.recovered !== null)) {
    charts.push({
      name: 'knockout_recovery',
      title: 'Knockout: share of the noise effect recovered',
      description: 'noise spans knocked out in every layer; paired bootstrap 95% CI',
      spec: knockoutRecoverySpec(ko, colours),
      section,
    });
    if (hasKnockoutLayers(ko)) {
      charts.push({
        name: 'knockout_layers',
        title: 'Knockout by first knocked layer',
        description: 'share recovered with the noise knocked out from layer L on',
        spec: knockoutLayersSpec(ko, colours),
        section,
      });
    }
  }
  const dose = run.doseResponse ?? [];
  if (extractor && dose.some((r) => r.extractor === extractor)) {
    charts.push({
      name: 'dose_response',
      title: 'Dose-response: Pass@1 by noise sentences',
      description: `extractor ${extractor}; 0 = ${baseline}; error bars: ${run.ciLabels.ci}`,
      spec: doseResponseSpec(run.results, dose, {
        extractor,
        baseline,
        ciLabel: run.ciLabels.ci,
        colours,
      }),
      section,
    });
  }
  return charts;
}

function planCharts(
  run: RunData,
  extractor: string | undefined,
  baseline: string,
  headMaps: readonly string[] | 'all',
): PlannedChart[] {
  // one colour per model in every chart, fixed by the run's model order
  const colours = modelColours(run.models, [
    ...new Set([...run.results.map((r) => r.eval_type), ...run.samples.map((s) => s.evalType)]),
  ]);
  const charts: PlannedChart[] = evidenceCharts(run, extractor, baseline, colours);
  if (run.results.length && extractor) {
    charts.push({
      name: 'model_comparison',
      title: 'Pass@1 by dataset and model',
      description: `extractor ${extractor}; error bars: ${run.ciLabels.ci}`,
      spec: modelComparisonSpec(run.results, { extractor, labels: run.ciLabels, colours }),
    });
    const degraded = run.results.some((r) => r.extractor === extractor && r.degradation !== null);
    if (degraded) {
      charts.push({
        name: 'degradation',
        title: 'Relative degradation by noise type and model',
        description: `(${baseline} − noisy) / ${baseline}, extractor ${extractor}; error bars: ${run.ciLabels.degradation_ci}`,
        spec: degradationSpec(run.results, {
          extractor,
          baseline,
          labels: run.ciLabels,
          colours,
        }),
      });
    } else {
      run.notes.push(
        `degradation chart not drawn: no ${extractor} row has a relative degradation (it is undefined where ${baseline} Pass@1 is 0 or a set has no ${baseline} counterpart)`,
      );
    }
  }
  const a = run.attention;
  if (a) {
    charts.push({
      name: 'attention_ratios',
      title: 'Attention ratios (KMI / NI / OC)',
      description: 'share of attention per token class by model and noise type, clean vs noisy',
      spec: attentionRatiosSpec(a),
    });
    if (hasPerLayer(a, 'lift_ni')) {
      charts.push({
        name: 'ni_lift_by_layer',
        title: 'NI lift by layer',
        description:
          "metrics.lift_ni per layer: NI's attention over its uniform share (1 = no preference)",
        spec: niLiftByLayerSpec(a, colours),
      });
    }
    const available = perHeadMetrics(a);
    const wanted = headMaps === 'all' ? available : headMaps.filter((m) => available.includes(m));
    for (const metric of wanted) {
      charts.push({
        name: `head_map_${safeName(metric)}`,
        title: `${metricLabel(metric)} per layer and head`,
        description: `layer x head map of metrics.${metric}${noisyOnly(metric) ? ' on noisy prompts' : ''}`,
        spec: headMapSpec(a, metric),
      });
    }
  }
  if (run.sftLoss.length) {
    charts.push({
      name: 'sft_loss',
      title: 'SFT training loss',
      description: `loss per step of ${run.sftLoss.map((c) => c.model).join(', ')}`,
      spec: sftLossSpec(run.sftLoss, colours),
    });
  }
  return charts;
}

export async function buildReport(
  runDir: string,
  opts: BuildReportOptions = {},
): Promise<BuildReportResult> {
  const dir = path.resolve(runDir);
  const baseline = opts.baseline ?? BASELINE_DATASET;
  const run = readRun(dir, opts);
  const files: string[] = [];
  const write = (rel: string, bytes: string | Uint8Array) => {
    const file = path.join(dir, rel);
    writeFileAtomic(file, bytes);
    files.push(file);
  };

  // --- tables: the results table is reused where `exp run` wrote it, written only if computed
  const tables: TableEntry[] = [];
  if (run.resultFiles) {
    if (run.resultFiles.computed) {
      const out = writeResults(path.join(dir, RUN_PATHS.tables), run.results);
      files.push(out.csv, out.json, out.arrow);
    }
    const { csv, json, arrow } = run.resultFiles;
    tables.push({ title: 'Results table', files: [csv, json, arrow] });
  }
  if (run.attention) {
    const written: string[] = [];
    for (const t of attentionTables(run.attention)) {
      for (const ext of ['csv', 'json'] as const) {
        write(RUN_PATHS.table(t.name, ext), t[ext]);
        written.push(RUN_PATHS.table(t.name, ext));
      }
    }
    tables.push({ title: 'Attention tables', files: written });
  }
  if (run.evidence) {
    tables.push({
      title: 'Evidence table',
      files: [RUN_PATHS.evidence('csv'), RUN_PATHS.evidence('json')],
    });
  }
  if (run.doseResponse) {
    tables.push({
      title: 'Dose-response table',
      files: [RUN_PATHS.doseResponse('csv'), RUN_PATHS.doseResponse('json')],
    });
  }

  // --- charts and sample maps, rendered together (over worker threads when there are many)
  const extractors = [...new Set(run.results.map((r) => r.extractor))];
  const extractor = opts.extractor ?? headlineExtractor(run.results);
  if (opts.extractor && !extractors.includes(opts.extractor)) {
    throw new Error(
      `buildReport: extractor '${opts.extractor}' is not in ${dir}'s results (it has: ${extractors.join(', ') || 'none'})`,
    );
  }
  const ordered = extractor
    ? [extractor, ...extractors.filter((x) => x !== extractor)]
    : extractors;
  const zoom = opts.zoom ?? 2;
  const charts: ChartEntry[] = planCharts(
    run,
    extractor,
    baseline,
    opts.headMaps ?? HEAD_MAP_METRICS,
  ).map((c) => ({
    ...c,
    svg: RUN_PATHS.chart(c.name, 'svg'),
    png: RUN_PATHS.chart(c.name, 'png'),
  }));
  const maps: MapEntry[] = run.sampleMaps.map(({ map }) => ({
    dataset: map.dataset,
    model: map.model,
    id: map.id,
    condition: map.condition,
    form: map.form,
    layer: map.layer,
    head: map.head,
    png: RUN_PATHS.attentionMap(map),
  }));
  const rendered = await renderJobs(
    [
      ...charts.map((c) => ({ label: `chart ${c.name}`, spec: c.spec, zoom, keepSvg: true })),
      ...run.sampleMaps.map(({ file, map }) => ({
        label: `sample map ${file}`,
        spec: heatmapSpec(map, { context: opts.mapContext }),
        zoom,
        keepSvg: false,
      })),
    ],
    { threads: opts.threads },
  );
  charts.forEach((c, i) => {
    write(c.svg, rendered[i].svg!);
    write(c.png, rendered[i].png);
    c.pngData = rendered[i].png;
  });
  maps.forEach((m, i) => {
    const r = rendered[charts.length + i];
    write(m.png, r.png);
    m.pngData = r.png;
  });

  // --- pages
  const content: ReportContent = { run, extractors: ordered, charts, maps, tables };
  write(RUN_PATHS.reportMarkdown, reportMarkdown(content));
  const htmlOpts = { baseline, selfContained: opts.selfContained, inlineLimit: opts.inlineLimit };
  write(RUN_PATHS.reportHtml, reportHtml(content, htmlOpts));
  return {
    files,
    notes: run.notes,
    html: { selfContained: inlinesImages(content, htmlOpts), imageBytes: inlinedBytes(content) },
  };
}
