import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import {
  attentionRatiosSpec,
  headGrids,
  headMapSpec,
  metricLabel,
  niLiftByLayerSpec,
  perHeadMetrics,
} from '../src/charts/attention.js';
import { modelColours, VEGA_LITE_SCHEMA } from '../src/charts/common.js';
import { renderSpecToSvg } from '../src/render/render.js';
import { degradationSpec, headlineExtractor, modelComparisonSpec } from '../src/charts/results.js';
import { sftLossSpec } from '../src/charts/sft.js';
import { readAttentionAnalysis, type AttentionAnalysis } from '@exp/attention';
import { RESULTS, row, RUN } from './helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- specs are untyped JSON once built */

const analysis: AttentionAnalysis = readAttentionAnalysis(
  path.join(RUN, 'attention_analysis.json'),
);

const rows = RESULTS;

const distinctHeads = (values: { head: number }[]) => new Set(values.map((v) => v.head)).size;

describe('results charts', () => {
  test('headlineExtractor prefers strict, else the first', () => {
    expect(headlineExtractor(rows)).toBe('strict');
    expect(headlineExtractor(rows.filter((r) => r.extractor === 'seed'))).toBe('seed');
    expect(headlineExtractor([])).toBeUndefined();
  });

  test('model_comparison: bars of Pass@1 with CI rules, one extractor, exact spec', () => {
    const spec = modelComparisonSpec(rows) as any;
    const tooltip = [
      { field: 'model', type: 'nominal' },
      { field: 'dataset', type: 'nominal' },
      { field: 'accuracy', type: 'quantitative', format: '.1%' },
      { field: 'ci_low', type: 'quantitative', format: '.1%', title: 'CI low' },
      { field: 'ci_high', type: 'quantitative', format: '.1%', title: 'CI high' },
    ];
    // domain: 0 to the highest interval end (0.225); the data themselves are as given
    const yScale = { domain: [0, 0.225], nice: true };
    // no run colours given: the palette's first two (dark) colours in the models' order
    const color = {
      field: 'model',
      type: 'nominal',
      sort: ['llama', 'diffllama'],
      title: 'model',
      scale: { domain: ['llama', 'diffllama'], range: ['#4c78a8', '#f58518'] },
    };
    expect(spec).toEqual({
      $schema: VEGA_LITE_SCHEMA,
      padding: 10,
      title: {
        text: 'Pass@1 by dataset and model',
        subtitle: ['extractor: strict; error bars: 95% CI (Wilson); n = 200 per cell'],
      },
      data: {
        values: [
          {
            model: 'llama',
            dataset: 'clean',
            accuracy: 0.15,
            ci_low: 0.1,
            ci_high: 0.2,
            correct: 30,
            total: 200,
          },
          {
            model: 'llama',
            dataset: 'inf',
            accuracy: 0.12,
            ci_low: 0.08,
            ci_high: 0.17,
            correct: 24,
            total: 200,
          },
          {
            model: 'diffllama',
            dataset: 'clean',
            accuracy: 0.17,
            ci_low: 0.12,
            ci_high: 0.225,
            correct: 34,
            total: 200,
          },
          {
            model: 'diffllama',
            dataset: 'inf',
            accuracy: 0.16,
            ci_low: 0.11,
            ci_high: 0.21,
            correct: 32,
            total: 200,
          },
        ],
      },
      width: { step: 30, for: 'offset' },
      height: 260,
      encoding: {
        x: {
          field: 'dataset',
          type: 'nominal',
          sort: ['clean', 'inf'],
          title: 'dataset',
          axis: { labelAngle: 0 },
        },
        xOffset: { field: 'model', type: 'nominal', sort: ['llama', 'diffllama'] },
      },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: {
              field: 'accuracy',
              type: 'quantitative',
              title: 'Pass@1',
              axis: { format: '.0%' },
              scale: yScale,
            },
            color,
            tooltip,
          },
        },
        {
          mark: { type: 'tick', orient: 'horizontal', thickness: 2, opacity: 1 },
          encoding: { y: { field: 'accuracy', type: 'quantitative', scale: yScale }, color },
        },
        {
          mark: { type: 'rule', color: 'black', strokeWidth: 1.5 },
          encoding: {
            y: { field: 'ci_low', type: 'quantitative', scale: yScale },
            y2: { field: 'ci_high' },
          },
        },
      ],
    });
  });

  test('model_comparison: an all-zero table still spans 0 to 5%', () => {
    const spec = modelComparisonSpec([row({ model: 'm', dataset: 'clean', accuracy: 0 })]) as any;
    expect(spec.layer[0].encoding.y.scale.domain).toEqual([0, 0.05]);
  });

  test('model_comparison: all-zero Wilson rows draw a tick at 0 and their interval per bar', async () => {
    // 0 of 4: Wilson 95% [0, 0.4898908364545973] (statsmodels proportion_confint)
    const hi = 0.4898908364545973;
    const zero = ['tiny-llama', 'tiny-diffllama'].flatMap((model) =>
      ['clean', 'inf'].map((dataset) =>
        row({ model, dataset, accuracy: 0, ci_low: 0, ci_high: hi, total: 4 }),
      ),
    );
    const spec = modelComparisonSpec(zero, {
      colours: { 'tiny-llama': '#4c78a8', 'tiny-diffllama': '#f58518' },
    }) as any;
    expect(spec.layer.map((l: any) => l.mark.type)).toEqual(['bar', 'tick', 'rule']);
    expect(spec.layer[1].encoding.y.field).toBe('accuracy');
    expect(spec.layer[0].encoding.y.scale.domain).toEqual([0, hi]);
    const svg = await renderSpecToSvg(spec);
    // 4 ticks (one per bar, a 30 x 2 px line at the zero baseline y=260, in the model's colour)
    // and 4 interval rules from 0 up to 49% (255 px of the 260 px plot)
    const marks = (role: string) =>
      [...svg.matchAll(new RegExp(`<[^>]*aria-roledescription="${role}"[^>]*>`, 'g'))].map(
        (m) => m[0],
      );
    const ticks = marks('tick');
    expect(
      ticks.map((t) => [/d="M[\d.]+,(\d+)h30v2h-30Z"/.exec(t)?.[1], /fill="([^"]+)"/.exec(t)![1]]),
    ).toEqual([
      ['259', '#4c78a8'],
      ['259', '#4c78a8'],
      ['259', '#f58518'],
      ['259', '#f58518'],
    ]);
    const rules = marks('rule mark');
    expect(rules).toHaveLength(4);
    for (const r of rules) expect(Number(/y2="([^"]*)"/.exec(r)![1])).toBeCloseTo(-254.74, 1);
  });

  test('degradation: only rows that have one, with the paired CI fields', () => {
    const spec = degradationSpec(rows) as any;
    expect(spec.title).toEqual({
      text: 'Relative degradation vs clean by noise type and model',
      subtitle: [
        '(clean − noisy) / clean; extractor: strict; error bars: 95% CI (paired bootstrap)',
      ],
    });
    expect(spec.data.values).toEqual([
      {
        model: 'llama',
        dataset: 'inf',
        degradation: 0.2,
        degradation_ci_low: -0.1,
        degradation_ci_high: 0.45,
      },
      {
        model: 'diffllama',
        dataset: 'inf',
        degradation: 1 / 17,
        degradation_ci_low: -0.25,
        degradation_ci_high: 0.3,
      },
    ]);
    expect(spec.encoding.x).toEqual({
      field: 'dataset',
      type: 'nominal',
      sort: ['inf'],
      title: 'noise type',
      axis: { labelAngle: 0 },
    });
    expect(spec.layer[0].encoding.y).toMatchObject({
      field: 'degradation',
      title: 'relative degradation',
    });
    expect(spec.layer[0].encoding.y.scale.domain).toEqual([-0.25, 0.45]);
    expect(spec.layer[1].mark.type).toBe('tick');
    expect(spec.layer[2].encoding).toEqual({
      y: {
        field: 'degradation_ci_low',
        type: 'quantitative',
        scale: { domain: [-0.25, 0.45], nice: true },
      },
      y2: { field: 'degradation_ci_high' },
    });
  });
});

describe('attention charts', () => {
  test('attention_ratios: one value per dataset x model x condition x class, ± 1 std', () => {
    const spec = attentionRatiosSpec(analysis) as any;
    expect(spec.data.values).toHaveLength(2 * 2 * 2 * 3);
    expect(spec.data.values[0]).toEqual({
      dataset: 'inf',
      model: 'tiny-llama',
      condition: 'clean',
      class: 'KMI',
      mean: 0.3573,
      std: 0.0815,
      low: 0.3573 - 0.0815,
      high: 0.3573 + 0.0815,
    });
    const noisyNi = spec.data.values.find(
      (v: any) =>
        v.dataset === 'sd' &&
        v.model === 'tiny-diffllama' &&
        v.condition === 'noisy' &&
        v.class === 'NI',
    );
    expect(noisyNi).toMatchObject({ mean: 0.1417, std: 0.0383 });
    expect(spec.facet.row).toMatchObject({ field: 'dataset', sort: ['inf', 'sd'] });
    expect(spec.facet.column).toMatchObject({ field: 'class', sort: ['KMI', 'NI', 'OC'] });
    expect(spec.spec.encoding.x).toMatchObject({
      field: 'model',
      sort: ['tiny-llama', 'tiny-diffllama'],
    });
    expect(spec.spec.encoding.xOffset).toEqual({
      field: 'condition',
      type: 'nominal',
      sort: ['clean', 'noisy'],
    });
    // shares on [0, 1]; conditions in greys (the palette's colours are the models')
    expect(spec.spec.layer[0].encoding.y).toEqual({
      field: 'mean',
      type: 'quantitative',
      title: 'attention share',
      scale: { domain: [0, 1] },
    });
    expect(spec.spec.layer[0].encoding.color.scale).toEqual({ range: ['#bdbdbd', '#525252'] });
    expect(spec.spec.layer[1].encoding).toEqual({
      y: { field: 'low', type: 'quantitative', scale: { domain: [0, 1] } },
      y2: { field: 'high' },
    });
    expect(spec.title.subtitle).toEqual([
      'share of attention received by each token class; error bars: ± 1 std over samples',
      'maps: tiny-llama: softmax, tiny-diffllama: differential-normalised',
    ]);
  });

  test('ni_lift_by_layer: metrics.lift_ni.per_layer as lines per model, faceted by noise type', () => {
    const spec = niLiftByLayerSpec(analysis) as any;
    const llamaInf = spec.data.values.filter(
      (v: any) => v.dataset === 'inf' && v.model === 'tiny-llama',
    );
    expect(llamaInf).toEqual(
      [1.4638, 1.5194, 1.9127].map((value, layer) => ({
        dataset: 'inf',
        model: 'tiny-llama',
        condition: 'noisy',
        layer,
        value,
      })),
    );
    expect(spec.data.values).toHaveLength(2 * 2 * 3);
    expect(spec.facet.column).toMatchObject({ field: 'dataset', sort: ['inf', 'sd'] });
    expect(spec.spec.mark).toEqual({ type: 'line', point: true });
    expect(spec.spec.encoding.x).toEqual({
      field: 'layer',
      type: 'ordinal',
      title: 'layer',
      axis: { labelAngle: 0 },
    });
    // a lift: symmetric around 1, here 1 ± 0.9127 (the largest lift, 1.9127)
    expect(spec.spec.encoding.y).toEqual({
      field: 'value',
      type: 'quantitative',
      title: 'NI lift over uniform',
      scale: { domain: [1 - (1.9127 - 1), 1 + (1.9127 - 1)] },
    });
    expect(spec.spec.encoding.color.scale).toEqual({
      domain: ['tiny-llama', 'tiny-diffllama'],
      range: ['#4c78a8', '#f58518'],
    });
    // noisy prompts only: no dash encoding for a second condition
    expect(spec.spec.encoding.strokeDash).toBeUndefined();
    expect(spec.title.text).toBe('NI lift over uniform by layer');
  });

  test('head maps: metrics with per-head grids; noise metrics on noisy prompts only', () => {
    expect(perHeadMetrics(analysis)).toEqual([
      'seed_kmi',
      'seed_ni',
      'seed_oc',
      'mass_ni',
      'lift_ni',
      'snr',
      'entropy',
      'distraction',
      'neg_fraction',
      'cancellation_ni',
    ]);
    const panels = (m: string) =>
      headGrids(analysis, m).map((g) => `${g.dataset}/${g.model}/${g.condition}`);
    // mass_ni has a clean grid in the file (all 0: a clean prompt has no noise); it is not drawn
    expect(analysis.inf['tiny-llama'].metrics.mass_ni.per_head!.clean).toBeDefined();
    expect(panels('mass_ni')).toEqual([
      'inf/tiny-llama/noisy',
      'inf/tiny-diffllama/noisy',
      'sd/tiny-llama/noisy',
      'sd/tiny-diffllama/noisy',
    ]);
    expect(panels('entropy')).toHaveLength(8);
    expect(panels('cancellation_ni')).toEqual([
      'inf/tiny-diffllama/noisy',
      'sd/tiny-diffllama/noisy',
    ]);
    expect(metricLabel('lift_ni')).toBe('NI lift over uniform');
    expect(metricLabel('nosink_kmi')).toBe('nosink kmi');
  });

  test('head_map_lift_ni: layer x head cells as written, sequential colours for a positive metric', () => {
    const spec = headMapSpec(analysis, 'lift_ni') as any;
    expect(spec.data.values).toHaveLength(2 * 2 * 3 * 4);
    expect(
      spec.data.values.find(
        (v: any) =>
          v.model === 'tiny-diffllama' && v.dataset === 'inf' && v.layer === 2 && v.head === 3,
      ),
    ).toEqual({
      dataset: 'inf',
      panel: 'tiny-diffllama · noisy',
      model: 'tiny-diffllama',
      condition: 'noisy',
      layer: 2,
      head: 3,
      value: 1.3612,
    });
    expect(spec.spec.encoding.x).toEqual({
      field: 'head',
      type: 'ordinal',
      title: 'head',
      axis: { labelAngle: 0 },
    });
    expect(spec.spec.encoding.y).toEqual({ field: 'layer', type: 'ordinal', title: 'layer' });
    // a lift: diverging around 1, symmetric, as wide as the largest lift asks
    const h = Math.max(0.5, ...spec.data.values.map((v: any) => Math.abs(v.value - 1)));
    expect(spec.spec.encoding.color).toMatchObject({
      field: 'value',
      title: 'lift_ni',
      scale: { scheme: 'redblue', reverse: true, domain: [1 - h, 1 + h], domainMid: 1 },
    });
    expect(spec.resolve).toEqual({ scale: { x: 'independent' } });
    expect(spec.title.text).toBe('NI lift over uniform per layer and head');
    expect(spec.title.subtitle[0]).toMatch(
      /^metrics\.lift_ni\.per_head; diverging colours centred at 1, domain \[/,
    );
  });

  test('head maps: shares on [0, 1]; lifts and ratios keep at least [0.5, 1.5]', () => {
    const tight = structuredClone(analysis);
    for (const byModel of Object.values(tight)) {
      for (const a of Object.values(byModel)) {
        for (const m of ['lift_ni', 'cancellation_ni', 'mass_ni']) {
          const layers = a.metrics[m]?.per_layer?.noisy;
          layers?.forEach((_, l) => (layers[l] = m === 'mass_ni' ? 0.2 : 1.01 - (l % 2) * 0.02));
          const grid = a.metrics[m]?.per_head?.noisy;
          // noise around a constant: 0.99 to 1.01 (lifts, ratios) or 0.2 to 0.21 (a share)
          grid?.forEach((row, l) =>
            row.forEach((_, h) => (row[h] = (m === 'mass_ni' ? 0.2 : 0.99) + ((l + h) % 3) * 0.01)),
          );
        }
      }
    }
    for (const m of ['lift_ni', 'cancellation_ni']) {
      expect((headMapSpec(tight, m) as any).spec.encoding.color.scale).toEqual({
        scheme: 'redblue',
        reverse: true,
        domain: [0.5, 1.5],
        domainMid: 1,
      });
      expect((headMapSpec(tight, m) as any).title.subtitle).toEqual([
        `metrics.${m}.per_head; diverging colours centred at 1, domain [0.5, 1.5]`,
      ]);
    }
    expect((headMapSpec(tight, 'mass_ni') as any).spec.encoding.color.scale).toEqual({
      scheme: 'viridis',
      domain: [0, 1],
    });
    expect((niLiftByLayerSpec(tight) as any).spec.encoding.y.scale).toEqual({ domain: [0.5, 1.5] });
  });

  test("head maps: each panel has its model's number of heads (4 differential heads beside 8)", async () => {
    // tiny-llama with 8 heads (its grids doubled), tiny-diffllama with its 4 differential heads
    const wide = structuredClone(analysis);
    for (const byModel of Object.values(wide)) {
      const grid = byModel['tiny-llama'].metrics.lift_ni.per_head!.noisy!;
      grid.forEach((row, l) => (grid[l] = [...row, ...row]));
    }
    const spec = headMapSpec(wide, 'lift_ni') as any;
    const heads = (model: string) =>
      distinctHeads(spec.data.values.filter((v: any) => v.model === model));
    expect([heads('tiny-llama'), heads('tiny-diffllama')]).toEqual([8, 4]);
    const svg = await renderSpecToSvg(spec);
    const axes = [
      ...svg.matchAll(/aria-label="X-axis titled 'head' for a discrete scale with (\d+) values/g),
    ].map((m) => Number(m[1]));
    // one head axis per panel (noise type x model): 8 for tiny-llama, 4 for tiny-diffllama
    expect(axes.sort()).toEqual([4, 4, 8, 8]);
  });

  test('head map of a signed metric (distraction): diverging, centred at 0, symmetric domain', () => {
    const spec = headMapSpec(analysis, 'distraction') as any;
    const values = spec.data.values.map((v: any) => v.value as number);
    const m = Math.max(...values.map(Math.abs));
    expect(Math.min(...values)).toBeLessThan(0);
    expect(Math.max(...values)).toBeGreaterThan(0);
    expect(spec.spec.encoding.color.scale).toEqual({
      scheme: 'redblue',
      reverse: true,
      domain: [-m, m],
      domainMid: 0,
    });
  });
});

describe('model colours', () => {
  test('fixed per model in the run order; after fine-tuning the same hue, lighter', () => {
    expect(modelColours(['tiny-llama', 'tiny-diffllama'], ['zero_shot', 'post_sft'])).toEqual({
      'tiny-llama': '#4c78a8',
      'tiny-llama (post_sft)': '#9ecae9',
      'tiny-diffllama': '#f58518',
      'tiny-diffllama (post_sft)': '#ffbf79',
    });
    const colours = modelColours(['llama', 'diffllama'], ['post_sft']);
    const post = RESULTS.slice(0, 4).map((r) => ({ ...r, eval_type: 'post_sft' }));
    // a chart of diffllama alone still gives diffllama its run colour
    const alone = modelComparisonSpec(
      RESULTS.filter((r) => r.model === 'diffllama'),
      { colours },
    ) as any;
    expect(alone.layer[0].encoding.color.scale).toEqual({
      domain: ['diffllama'],
      range: ['#f58518'],
    });
    const both = modelComparisonSpec([...RESULTS.slice(0, 4), ...post], { colours }) as any;
    expect(both.layer[0].encoding.color.scale).toEqual({
      domain: ['llama', 'diffllama', 'llama (post_sft)', 'diffllama (post_sft)'],
      range: ['#4c78a8', '#f58518', '#9ecae9', '#ffbf79'],
    });
  });
});

describe('sft_loss', () => {
  test('a line per model over steps, with lr in the tooltip; a step without label tokens is null', () => {
    const spec = sftLossSpec([
      {
        model: 'a',
        points: [
          { step: 1, loss: 3.5, lr: 5e-5 },
          { step: 2, loss: null, lr: 2.5e-5 },
        ],
      },
      { model: 'b', points: [{ step: 1, loss: 4, lr: 5e-5 }] },
    ]) as any;
    expect(spec.data.values).toEqual([
      { model: 'a', step: 1, loss: 3.5, lr: 5e-5 },
      { model: 'a', step: 2, loss: null, lr: 2.5e-5 },
      { model: 'b', step: 1, loss: 4, lr: 5e-5 },
    ]);
    expect(spec.mark).toEqual({ type: 'line', point: true });
    expect(spec.encoding.x).toEqual({ field: 'step', type: 'quantitative', title: 'step' });
    expect(spec.encoding.y).toEqual({
      field: 'loss',
      type: 'quantitative',
      title: 'loss',
      scale: { zero: false },
    });
    expect(spec.encoding.color).toEqual({
      field: 'model',
      type: 'nominal',
      sort: ['a', 'b'],
      scale: { domain: ['a', 'b'], range: ['#4c78a8', '#f58518'] },
      title: 'model',
    });
    expect(spec.title).toEqual({
      text: 'SFT training loss',
      subtitle: ['per optimiser step, from sft/<model>/loss.jsonl'],
    });
  });
});
