// report.html: one page. vega and vega-lite's browser bundles are inlined, every chart travels as
// its Vega-Lite spec (drawn in the page) with its PNG as a fallback, and the samples, noise spans
// and sample maps sit in one JSON block the drill-down reads. The PNGs are inlined as data: URIs
// (self-contained) unless they would make the page large, then linked by relative paths to the
// files beside it (inlinesImages). No request leaves the run folder. Text from the run is escaped
// here (server side) or set through textContent (client side), so a prompt cannot inject markup.
import { BASELINE_DATASET } from '@exp/data';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { RESULT_COLUMNS } from '@exp/eval';
import { CLIENT_SCRIPT } from './client.js';
import {
  HEADLINE_METRICS,
  intervalColumns,
  metricTable,
  pivotTables,
  ratioTable,
  sampleCount,
  type MapEntry,
  type ReportContent,
} from './content.js';
import {
  doseTable,
  evidenceCaption,
  evidenceGaps,
  evidenceTable,
  EVIDENCE_TITLE,
  verdictCounts,
} from './evidence.js';

const require = createRequire(import.meta.url);

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside <script>: `<` escaped so no string in it can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface BrowserBundles {
  vega: string;
  vegaLite: string;
}

/** A library bundle as inline script text: no source-map comment (the page must not fetch it). */
function inlineScript(file: string): string {
  const text = readFileSync(file, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/gm, '');
  // `</script` would end the element early; in a bundle it can only sit in a string or regex,
  // where `<\/script` means the same.
  return text.replace(/<\/script/gi, '<\\/script');
}

/** vega.min.js and vega-lite.min.js from this package's node_modules. */
export function browserBundles(): BrowserBundles {
  // The packages export only their ESM entries; the UMD bundles sit beside them in build/.
  const vegaBuild = path.dirname(require.resolve('vega'));
  const vegaLiteBuild = path.dirname(require.resolve('vega-lite'));
  return {
    vega: inlineScript(path.join(vegaBuild, 'vega.min.js')),
    vegaLite: inlineScript(path.join(vegaLiteBuild, 'vega-lite.min.js')),
  };
}

const dataUri = (bytes: Uint8Array | undefined) =>
  bytes ? `data:image/png;base64,${Buffer.from(bytes).toString('base64')}` : null;

/**
 * Above this many bytes of inlined PNGs (base64) report.html links its images instead: a full
 * run's maps inlined made a ~50 MB page that browsers load slowly and mail cannot carry.
 */
export const INLINE_LIMIT = 5 * 1024 * 1024;

/** Bytes the report's PNGs take inlined as base64 data: URIs. */
export function inlinedBytes(content: Pick<ReportContent, 'charts' | 'maps'>): number {
  const b64 = (n: number) => 4 * Math.ceil(n / 3) + 'data:image/png;base64,'.length;
  let total = 0;
  for (const e of [...content.charts, ...content.maps])
    if (e.pngData) total += b64(e.pngData.length);
  return total;
}

/**
 * Whether report.html inlines its PNGs (self-contained: one file to pass around) or links the
 * files beside it (charts/, attention_maps/, by relative paths: the page works where the run
 * folder is, opened from disk or served). `selfContained` decides when given; otherwise the page
 * inlines while its images stay under `inlineLimit` bytes.
 */
export function inlinesImages(
  content: Pick<ReportContent, 'charts' | 'maps'>,
  opts: Pick<HtmlOptions, 'selfContained' | 'inlineLimit'> = {},
): boolean {
  return opts.selfContained ?? inlinedBytes(content) <= (opts.inlineLimit ?? INLINE_LIMIT);
}

/** A relative path as an href/src: each segment URI-encoded, '/' kept. */
const relativeUrl = (rel: string) => rel.split('/').map(encodeURIComponent).join('/');

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  className = '',
): string {
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 16px 48px; color: #222; }
h1 { margin: 16px 0 4px; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
nav a { margin-right: 12px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.scroll { overflow-x: auto; }
figure.chart { margin: 16px 0 28px; }
figure.chart figcaption { font-weight: 600; margin-bottom: 6px; }
figure.chart figcaption span { font-weight: normal; color: #555; }
.chart-view { overflow-x: auto; }
.chart-view img.fallback { max-width: 100%; }
#samples-table tbody tr { cursor: pointer; }
#samples-table tbody tr:hover { background: #f0f6ff; }
#samples-table tbody tr.selected { background: #dbeaff; }
.samples-list { max-height: 420px; overflow: auto; border: 1px solid #ddd; }
.samples-list table { margin: 0; }
.filters label { margin-right: 12px; }
.ok { color: #1a7f37; } .bad { color: #b42318; }
#sample-detail { border: 1px solid #ccc; border-radius: 4px; padding: 8px 16px; margin-top: 12px; }
pre { white-space: pre-wrap; word-break: break-word; background: #fafafa; border: 1px solid #eee; padding: 8px; }
mark.noise { background: #ffd8a8; border-bottom: 2px solid #e8590c; }
figure.map img { max-width: 100%; border: 1px solid #eee; }
.notes li { color: #8a4b00; }
`;

function mapCaption(m: MapEntry): string {
  const head = m.head === 'mean' ? 'mean of heads' : `head ${m.head}`;
  return `${m.dataset}: ${m.condition} prompt · ${m.form} map, layer ${m.layer}, ${head}`;
}

/**
 * The sample table's header: the answer of the extractor picked in the filter (its name filled in
 * by the page), then whether each extractor scored the sample correct, the headline one first.
 */
export function samplesHeader(extractors: readonly string[]): string {
  const th = (text: string, attrs = '') => `<th${attrs}>${escapeHtml(text)}</th>`;
  return [
    ...['model', 'evaluation', 'dataset', 'id', 'gold'].map((h) => th(h)),
    `<th>answer (<span id="answer-extractor">${escapeHtml(extractors[0] ?? '')}</span>)</th>`,
    ...extractors.map((x) => th(`correct (${x})`, ` data-extractor="${escapeHtml(x)}"`)),
    ...['stop', 'new tokens', 'maps'].map((h) => th(h)),
  ].join('');
}

export interface HtmlOptions {
  bundles?: BrowserBundles;
  /** The dataset without noise; its samples show the clean maps of every noise type. Default 'clean'. */
  baseline?: string;
  /**
   * true: every PNG inlined as a data: URI (one self-contained file, however large); false: PNGs
   * linked by relative paths (charts/, attention_maps/). Default: inlined while they take at most
   * `inlineLimit` bytes, else linked.
   */
  selfContained?: boolean;
  /** The size (bytes of base64 PNGs) above which images are linked by default; INLINE_LIMIT. */
  inlineLimit?: number;
}

export function reportHtml(content: ReportContent, opts: HtmlOptions = {}): string {
  const { run } = content;
  const m = run.manifest;
  const bundles = opts.bundles ?? browserBundles();
  const baseline = opts.baseline ?? BASELINE_DATASET;

  const inline = inlinesImages(content, opts);
  const imageSrc = (e: { png: string; pngData?: Uint8Array }) =>
    inline ? dataUri(e.pngData) : relativeUrl(e.png);
  const maps = content.maps.map((e) => ({ caption: mapCaption(e), src: imageSrc(e) }));
  const mapsFor = (model: string, dataset: string, id: string): number[] => {
    const keys: number[] = [];
    content.maps.forEach((e, k) => {
      if (e.model !== model || e.id !== id || !maps[k].src) return;
      // A noisy set's sample: its set's maps (noisy first, then the clean prompt's for contrast);
      // a baseline sample: the clean-prompt maps of any noise type.
      if (dataset === baseline ? e.condition === 'clean' : e.dataset === dataset) keys.push(k);
    });
    return keys.sort(
      (a, b) =>
        (content.maps[a].condition === 'noisy' ? 0 : 1) -
          (content.maps[b].condition === 'noisy' ? 0 : 1) || a - b,
    );
  };
  const payload = {
    extractors: content.extractors,
    models: run.models,
    datasets: run.datasets,
    charts: content.charts.map((c) => c.spec),
    maps,
    evalTypes: [...new Set(run.samples.map((s) => s.evalType))],
    samples: run.samples.map(({ record: r, noise, evalType }) => ({
      eval_type: evalType,
      model: r.model,
      dataset: r.dataset,
      id: r.id,
      index: r.index,
      prompt: r.prompt,
      completion: r.completion,
      gold: r.gold,
      answers: r.answers,
      correct_by: r.correct_by,
      stop_reason: r.stop_reason,
      prompt_tokens: r.prompt_tokens,
      new_tokens: r.new_tokens,
      ms: r.ms,
      noise,
      // the maps are of the models as they were before fine-tuning: zero-shot samples only
      maps: evalType === 'zero_shot' ? mapsFor(r.model, r.dataset, r.id) : [],
    })),
  };

  const facts: string[] = [];
  if (m.status) facts.push(`status: ${m.status}`);
  if (m.started) facts.push(`started ${m.started}`);
  if (m.finished) facts.push(`finished ${m.finished}`);
  if (m.task?.name) facts.push(`task: ${m.task.name}`);
  facts.push(sampleCount(run));

  const parts: string[] = [];
  parts.push(`<h1>Report: run ${escapeHtml(m.run)}</h1>`);
  parts.push(`<p>${escapeHtml(facts.join(' · '))}</p>`);
  if (m.command) parts.push(`<p><code>${escapeHtml(m.command.join(' '))}</code></p>`);
  parts.push(
    '<nav><a href="#evidence">Evidence</a><a href="#results">Results</a><a href="#charts">Charts</a>' +
      (run.attention ? '<a href="#attention">Attention</a>' : '') +
      '<a href="#samples">Samples</a><a href="#manifest">Manifest</a></nav>',
  );
  if (!inline) {
    parts.push(
      `<p class="linked">Images are linked, not inlined (${(inlinedBytes(content) / 1024 / 1024).toFixed(1)} MB of PNGs): keep <code>charts/</code> and <code>attention_maps/</code> beside this page, or rebuild it with <code>exp report --self-contained</code> for one file.</p>`,
    );
  }
  if (run.notes.length) {
    parts.push(
      `<ul class="notes">${run.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`,
    );
  }

  // a chart's figure: drawn from payload.charts[i] by the page, its PNG the fallback
  const figure = (c: (typeof content.charts)[number], i: number) => {
    const src = imageSrc(c);
    return (
      `<figure class="chart" id="chart-${escapeHtml(c.name)}"><figcaption>${escapeHtml(c.title)} <span>— ${escapeHtml(c.description)}</span></figcaption>` +
      `<div class="chart-view" data-chart="${i}" data-name="${escapeHtml(c.name)}">` +
      (src ? `<img class="fallback" alt="${escapeHtml(c.title)}" src="${src}">` : '') +
      '</div></figure>'
    );
  };

  parts.push(`<section id="evidence"><h2>${escapeHtml(EVIDENCE_TITLE)}</h2>`);
  const evidence = run.evidence ?? [];
  if (evidence.length) {
    const t = evidenceTable(evidence);
    parts.push(`<p>${escapeHtml(evidenceCaption(evidence))}</p>`);
    parts.push(`<div class="scroll">${table(t.header, t.rows, 'evidence')}</div>`);
    parts.push(`<p class="verdicts">${escapeHtml(verdictCounts(evidence))}</p>`);
  }
  const doseExtractor = content.extractors[0];
  const dose =
    run.doseResponse && doseExtractor ? doseTable(run.doseResponse, doseExtractor) : null;
  if (dose?.rows.length) {
    parts.push(
      `<p>${escapeHtml(`Dose-response (${doseExtractor}): Pass@1 change per added noise sentence and pooled noise effect, in points, with cluster-bootstrap 95% CIs over base problems:`)}</p>`,
      `<div class="scroll">${table(dose.header, dose.rows, 'dose-response')}</div>`,
    );
  }
  content.charts.forEach((c, i) => {
    if (c.section === 'evidence') parts.push(figure(c, i));
  });
  const gaps = evidenceGaps(run, content.charts);
  if (gaps.length) {
    parts.push(`<ul class="gaps">${gaps.map((g) => `<li>${escapeHtml(g)}</li>`).join('')}</ul>`);
  }
  parts.push('</section>');

  parts.push('<section id="results"><h2>Results</h2>');
  if (run.results.length === 0) parts.push('<p>No results.</p>');
  for (const t of pivotTables(run.results, content.extractors, baseline, run.ciLabels)) {
    parts.push(`<h3>Pass@1 (${escapeHtml(t.extractor)})</h3><p>${escapeHtml(t.caption)}</p>`);
    parts.push(`<div class="scroll">${table(t.header, t.rows, 'pivot')}</div>`);
    if (t.degradation.rows.length) {
      parts.push(`<p>${escapeHtml(t.degradationCaption)}</p>`);
      parts.push(`<div class="scroll">${table(t.degradation.header, t.degradation.rows)}</div>`);
    }
  }
  if (run.results.length) {
    const cellText = (v: unknown) => (v === null ? '' : String(v));
    parts.push(
      `<details><summary>Full results table (${run.results.length} rows)</summary>` +
        `<p>${escapeHtml(intervalColumns(run.ciLabels))}</p><div class="scroll">` +
        table(
          RESULT_COLUMNS,
          run.results.map((r) => RESULT_COLUMNS.map((c) => cellText(r[c]))),
          'full-results',
        ) +
        '</div></details>',
    );
  }
  for (const t of content.tables) {
    parts.push(
      `<p>${escapeHtml(t.title)}: ${t.files.map((f) => `<code>${escapeHtml(f)}</code>`).join(', ')}</p>`,
    );
  }
  parts.push('</section>');

  parts.push('<section id="charts"><h2>Charts</h2>');
  if (!content.charts.some((c) => !c.section)) parts.push('<p>No charts.</p>');
  content.charts.forEach((c, i) => {
    if (!c.section) parts.push(figure(c, i));
  });
  parts.push('</section>');

  if (run.attention) {
    const ratios = ratioTable(run.attention);
    parts.push(
      '<section id="attention"><h2>Attention</h2><p>Share of attention received by each token class, mean ± std over samples.</p>',
      `<div class="scroll">${table(ratios.header, ratios.rows, 'attention-ratios')}</div>`,
    );
    const headline = metricTable(run.attention, HEADLINE_METRICS);
    const all = metricTable(run.attention);
    if (headline.rows.length) {
      parts.push(
        '<p>Metrics (mean, std, 95% bootstrap CI, samples):</p>',
        `<div class="scroll">${table(headline.header, headline.rows, 'attention-metrics')}</div>`,
      );
    }
    if (all.rows.length) {
      parts.push(
        `<details><summary>Every metric (${all.rows.length} rows)</summary><div class="scroll">${table(all.header, all.rows)}</div></details>`,
      );
    }
    parts.push('</section>');
  }

  parts.push(
    '<section id="samples"><h2>Samples</h2>' +
      '<p class="filters">' +
      '<label>model <select id="filter-model"></select></label>' +
      '<label>dataset <select id="filter-dataset"></select></label>' +
      '<label>evaluation <select id="filter-eval"></select></label>' +
      '<label>extractor <select id="filter-extractor"></select></label>' +
      '<label>correctness <select id="filter-correct"><option value="">all</option><option value="correct">correct</option><option value="wrong">wrong</option></select></label>' +
      '<span id="samples-count"></span></p>' +
      '<div class="samples-list"><table id="samples-table"><thead><tr>' +
      samplesHeader(content.extractors) +
      '</tr></thead><tbody></tbody></table></div>' +
      '<div id="sample-detail" hidden></div>' +
      '<p>Click a row to see the prompt (noise highlighted), the completion, every extractor’s answer and the sample’s attention maps.</p>' +
      '</section>',
  );
  parts.push(
    `<section id="manifest"><h2>Manifest</h2><details><summary>manifest.json</summary><pre>${escapeHtml(run.manifestText)}</pre></details></section>`,
  );

  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Report: run ${escapeHtml(m.run)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body>',
    ...parts,
    `<script type="application/json" id="report-data">${scriptJson(payload)}</script>`,
    `<script>${bundles.vega}</script>`,
    `<script>${bundles.vegaLite}</script>`,
    `<script>${CLIENT_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
