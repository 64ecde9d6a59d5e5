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
