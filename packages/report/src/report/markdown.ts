// report.md: the report for terminals and Markdown viewers — the tables as Markdown tables, the
// charts and sample maps as links to their PNG / SVG files (paths relative to the run folder).
import {
  HEADLINE_METRICS,
  metricTable,
  intervalColumns,
  pivotTables,
  ratioTable,
  sampleCount,
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

/** A table cell: pipes escaped and line breaks flattened so the row stays one line. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

const link = (text: string, target: string) =>
  `[${text.replace(/[[\]]/g, '\\$&')}](${encodeURI(target)})`;

/** The first section, "Does differential attention help?": table, slopes, charts, gaps. */
function evidenceMarkdown(content: ReportContent): string[] {
  const { run } = content;
  const out = [`## ${EVIDENCE_TITLE}`, ''];
  const rows = run.evidence ?? [];
  if (rows.length) {
    const t = evidenceTable(rows);
    out.push(evidenceCaption(rows), '', ...mdTable(t.header, t.rows), '', verdictCounts(rows), '');
  }
  const extractor = content.extractors[0];
  const dose = run.doseResponse && extractor ? doseTable(run.doseResponse, extractor) : null;
  if (dose?.rows.length) {
    out.push(
      `Dose-response (${extractor}): Pass@1 change per added noise sentence and pooled noise effect, in points, with cluster-bootstrap 95% CIs over base problems:`,
      '',
    );
    out.push(...mdTable(dose.header, dose.rows), '');
  }
  const charts = content.charts.filter((c) => c.section === 'evidence');
  for (const c of charts)
    out.push(`- ${link(c.title, c.png)} (${link('svg', c.svg)}): ${c.description}`);
  if (charts.length) out.push('');
  for (const gap of evidenceGaps(run, content.charts)) out.push(`- ${gap}`);
  out.push('');
  return out;
}

export function reportMarkdown(content: ReportContent): string {
  const { run } = content;
  const m = run.manifest;
  const out: string[] = [`# Report: run ${m.run}`, ''];
  const facts: string[] = [];
  if (m.status) facts.push(`- status: ${m.status}`);
  if (m.started)
    facts.push(`- started: ${m.started}${m.finished ? `, finished: ${m.finished}` : ''}`);
  if (m.command) facts.push(`- command: \`${m.command.join(' ')}\``);
  if (m.task?.name)
    facts.push(
      `- task: ${m.task.name} (extractors: ${(m.task.extractors ?? content.extractors).join(', ')})`,
    );
  if (run.models.length) {
    const type = (name: string) => m.models?.[name]?.modelType;
    facts.push(
      `- models: ${run.models.map((n) => (type(n) ? `${n} (${type(n)})` : n)).join(', ')}`,
    );
  }
  if (run.datasets.length) facts.push(`- datasets: ${run.datasets.join(', ')}`);
  facts.push(`- samples: ${sampleCount(run).replace(/ samples/, '')}`);
  out.push(...facts, '');

  out.push(...evidenceMarkdown(content));

  out.push('## Results', '');
  if (run.results.length === 0) out.push('No results.', '');
  for (const t of pivotTables(run.results, content.extractors, undefined, run.ciLabels)) {
    out.push(`### Pass@1 (${t.extractor})`, '', t.caption, '');
    out.push(...mdTable(t.header, t.rows), '');
    if (t.degradation.rows.length) {
      out.push(t.degradationCaption, '');
      out.push(...mdTable(t.degradation.header, t.degradation.rows), '');
    }
  }
  if (run.results.length) out.push(intervalColumns(run.ciLabels), '');
  for (const t of content.tables) {
    out.push(`${t.title}: ${t.files.map((f) => link(f.split('/').pop()!, f)).join(', ')}`, '');
  }

  const charts = content.charts.filter((c) => !c.section);
  if (charts.length) {
    out.push('## Charts', '');
    for (const c of charts) {
      out.push(`- ${link(c.title, c.png)} (${link('svg', c.svg)}): ${c.description}`);
    }
    out.push('');
  }

  if (run.attention) {
    const ratios = ratioTable(run.attention);
    out.push(
      '## Attention',
      '',
      'Share of attention received by each token class, mean ± std over samples.',
      '',
    );
    out.push(...mdTable(ratios.header, ratios.rows), '');
    const metrics = metricTable(run.attention, HEADLINE_METRICS);
    if (metrics.rows.length) {
      out.push(
        `Metrics (mean, std, 95% bootstrap CI, samples; every metric: ${link('attention_metrics.csv', 'tables/attention_metrics.csv')}):`,
        '',
      );
      out.push(...mdTable(metrics.header, metrics.rows), '');
    }
  }

  if (content.maps.length) {
    out.push('## Sample attention maps', '');
    const groups = new Map<string, typeof content.maps>();
    for (const e of content.maps) {
      const key = `${e.dataset} / ${e.model} / ${e.id}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(e);
    }
    for (const [key, entries] of groups) {
      out.push(`- ${key}: ${entries.map((e) => link(e.condition, e.png)).join(', ')}`);
    }
    out.push('');
  }

  if (run.notes.length) {
    out.push('## Notes', '', ...run.notes.map((n) => `- ${n}`), '');
  }
  out.push(`Interactive version: ${link('report.html', 'report.html')}`);
  return out.join('\n') + '\n';
}
