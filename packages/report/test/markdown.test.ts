import { describe, expect, test } from '@jest/globals';
import { ciLabels, ciMethods } from '@exp/eval';
import { pivotTables, type ReportContent } from '../src/report/content.js';
import { reportMarkdown } from '../src/report/markdown.js';
import type { RunData } from '@exp/run';
import { RESULTS, row } from './helpers.js';

const rows = RESULTS.filter((r) => r.extractor === 'strict');

function content(over: Partial<RunData> = {}): ReportContent {
  const run: RunData = {
    dir: '/runs/r1',
    // the fields the Markdown shows (a whole manifest holds many more)
    manifest: {
      run: 'r1',
      status: 'finished',
      command: ['exp', 'run', '--models', 'llama|x'],
    } as unknown as RunData['manifest'],
    manifestText: '{}',
    results: rows,
    // a run that asked for the exact interval: every heading must say so
    ciLabels: ciLabels(ciMethods({ ciMethod: 'clopper-pearson' })),
    resultFiles: {
      csv: 'experiment_results.csv',
      json: 'experiment_results.json',
      arrow: 'experiment_results.arrow',
      computed: false,
    },
    samples: [],
    models: ['llama', 'diffllama'],
    datasets: ['clean', 'inf'],
    attention: null,
    sampleMaps: [],
    sftLoss: [],
    evidence: null,
    doseResponse: null,
    likelihood: null,
    knockout: null,
    notes: [],
    ...over,
  };
  return {
    run,
    extractors: ['strict'],
    charts: [],
    maps: [],
    tables: [{ title: 'Results table', files: ['experiment_results.csv'] }],
  };
}

describe('pivotTables', () => {
  test('Pass@1 cells, the pair difference with McNemar p, and degradation', () => {
    const [t] = pivotTables(rows, ['strict']);
    expect(t.count).toBe('n = 200 per cell');
    expect(t.caption).toBe(
      'Pass@1 in % with 95% CI (Wilson); differences in points with 95% CI (Newcombe) and McNemar p; n = 200 per cell.',
    );
    expect(t.degradationCaption).toBe(
      'Relative degradation (strict), % with 95% CI (paired bootstrap):',
    );
    expect(t.header).toEqual(['model', 'clean', 'inf']);
    expect(t.rows).toEqual([
      ['llama', '15.0 [10.0, 20.0]', '12.0 [8.0, 17.0]'],
      ['diffllama', '17.0 [12.0, 22.5]', '16.0 [11.0, 21.0]'],
      ['diffllama − llama', '+2.0 [-1.0, +5.0] p=0.375', '+4.0 [+1.0, +7.0] p<0.001'],
    ]);
    expect(t.degradation).toEqual({
      header: ['model', 'inf vs clean'],
      rows: [
        ['llama', '+20.0 [-10.0, +45.0]'],
        ['diffllama', '+5.9 [-25.0, +30.0]'],
      ],
    });
  });
});

describe('reportMarkdown', () => {
  test('exact lines of the results section', () => {
    const md = reportMarkdown(content());
    expect(md).toBe(
      [
        '# Report: run r1',
        '',
        '- status: finished',
        '- command: `exp run --models llama|x`',
        '- models: llama, diffllama',
        '- datasets: clean, inf',
        '- samples: 0',
        '',
        '## Does differential attention help?',
        '',
        '- No data for this section: the run folder has none of evidence.json, likelihood_results.json, knockout_results.json and dose_response.json (runs with one DiffLlama and one Llama write them; `exp eval rescore` recomputes the first from the logs).',
        '',
        '## Results',
        '',
        '### Pass@1 (strict)',
        '',
        'Pass@1 in % with 95% CI (Clopper-Pearson); differences in points with 95% CI (Newcombe) and McNemar p; n = 200 per cell.',
        '',
        '| model | clean | inf |',
        '|---|---|---|',
        '| llama | 15.0 [10.0, 20.0] | 12.0 [8.0, 17.0] |',
        '| diffllama | 17.0 [12.0, 22.5] | 16.0 [11.0, 21.0] |',
        '| diffllama − llama | +2.0 [-1.0, +5.0] p=0.375 | +4.0 [+1.0, +7.0] p<0.001 |',
        '',
        'Relative degradation (strict), % with 95% CI (paired bootstrap):',
        '',
        '| model | inf vs clean |',
        '|---|---|',
        '| llama | +20.0 [-10.0, +45.0] |',
        '| diffllama | +5.9 [-25.0, +30.0] |',
        '',
        'Interval columns: ci_low/ci_high 95% CI (Clopper-Pearson); diff_ci_low/diff_ci_high 95% CI (Newcombe); degradation_ci_low/degradation_ci_high 95% CI (paired bootstrap).',
        '',
        'Results table: [experiment_results.csv](experiment_results.csv)',
        '',
        'Interactive version: [report.html](report.html)',
        '',
      ].join('\n'),
    );
  });

  test('a pipe in a cell is escaped so the row keeps its columns', () => {
    const md = reportMarkdown(
      content({
        results: [row({ model: 'a|b', dataset: 'clean', accuracy: 0.5 })],
        models: ['a|b'],
      }),
    );
    expect(md).toContain('| a\\|b | 50.0 [50.0, 50.0] |');
  });
});

describe('reportMarkdown: "Does differential attention help?"', () => {
  const base = {
    eval_type: null,
    extractor: null,
    a: 'diffllama',
    b: 'llama',
    n: 20,
    effect_a: 0,
    effect_b: -0.6,
    lo: 0.4,
    hi: 0.8,
    p: 0.0004,
    p_holm: 0.0008,
    mde: 0.315,
  };
  const evidence = [
    {
      ...base,
      dataset: 'inf',
      measure: 'pass@1',
      eval_type: 'zero_shot',
      extractor: 'strict',
      diff: 0.6,
      orientation: 'higher is better' as const,
      estimate: 0.6,
      verdict: 'helps' as const,
    },
    {
      ...base,
      dataset: 'inf',
      measure: 'protocol_noise_mass',
      diff: -0.3,
      orientation: 'lower is better' as const,
      estimate: 0.3,
      lo: 0.25,
      hi: 0.35,
      p: 0.2,
      p_holm: 0.2,
      mde: 0.5,
      verdict: 'inconclusive' as const,
    },
  ];

  test('the table, the verdict counts and one line per part without data', () => {
    const md = reportMarkdown(content({ evidence }));
    const start = md.indexOf('## Does differential attention help?');
    const section = md.slice(start, md.indexOf('## Results')).trimEnd().split('\n');
    expect(section).toEqual([
      '## Does differential attention help?',
      '',
      'DiffLlama − Llama (diffllama − llama) difference in noise effect (noisy − clean, per item), oriented so that + means DiffLlama is hurt less by the noise; Pass@1 in points, likelihood measures in nats (per token for *_mean, the answer tokens for *_final) or probability mass (*_noise_mass). 95% CI: paired percentile bootstrap over items; p: sign-flip permutation test; Holm p over the 2 rows of the table; MDE: minimum detectable difference at α 0.05, power 0.8. Verdict: helps / hurts when Holm p < 0.05, else inconclusive when the MDE exceeds the observed difference, else no difference detected.',
      '',
      '| noisy set | measure | evaluation | n | DiffLlama − Llama | 95% CI | p | Holm p | MDE | verdict |',
      '|---|---|---|---|---|---|---|---|---|---|',
      '| inf | Pass@1 (strict), points | zero_shot | 20 | +60.0 | [+40.0, +80.0] | <0.001 | <0.001 | 31.5 | helps |',
      '| inf | protocol_noise_mass (lower is better: sign flipped) | likelihood | 20 | +0.3000 | [+0.2500, +0.3500] | 0.200 | 0.200 | 0.5000 | inconclusive |',
      '',
      'Verdicts: 1 helps, 1 inconclusive.',
      '',
      '- No likelihood chart: the run has no likelihood_results.json.',
      '- No knockout charts: the run has no knockout_results.json with rows from layer 0.',
      '- No dose-response chart: the run has no sweep cells.',
    ]);
  });
});
