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
import { VEGA_LITE_SCHEMA } from '../src/charts/common.js';
import { degradationSpec, headlineExtractor, modelComparisonSpec } from '../src/charts/results.js';
import { sftLossSpec } from '../src/charts/sft.js';
import { readAttentionAnalysis, type AttentionAnalysis } from '@exp/attention';
import { RESULTS, row, RUN } from './helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- specs are untyped JSON once built */

const analysis: AttentionAnalysis = readAttentionAnalysis(
  path.join(RUN, 'attention_analysis.json'),
);

const rows = RESULTS;

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
            color: {
              field: 'model',
              type: 'nominal',
              sort: ['llama', 'diffllama'],
              title: 'model',
            },
            tooltip,
          },
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
    expect(spec.layer[1].encoding).toEqual({
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
    expect(spec.spec.layer[0].encoding.y).toEqual({
      field: 'mean',
      type: 'quantitative',
      title: 'attention share',
    });
    expect(spec.spec.layer[1].encoding).toEqual({
      y: { field: 'low', type: 'quantitative' },
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
    expect(spec.spec.encoding.y).toEqual({
      field: 'value',
      type: 'quantitative',
      title: 'NI lift over uniform',
      scale: { zero: false },
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
    expect(spec.spec.encoding.color).toMatchObject({
      field: 'value',
      title: 'lift_ni',
      scale: { scheme: 'viridis' },
    });
    expect(spec.title).toEqual({
      text: 'NI lift over uniform per layer and head',
      subtitle: ['metrics.lift_ni.per_head; sequential colours'],
    });
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

describe('sft_loss', () => {
  test('a line per model over steps, with lr in the tooltip', () => {
    const spec = sftLossSpec([
      {
        model: 'a',
        points: [
          { step: 1, loss: 3.5, lr: 5e-5 },
          { step: 2, loss: 3.1 },
        ],
      },
      { model: 'b', points: [{ step: 1, loss: 4 }] },
    ]) as any;
    expect(spec.data.values).toEqual([
      { model: 'a', step: 1, loss: 3.5, lr: 5e-5 },
      { model: 'a', step: 2, loss: 3.1, lr: null },
      { model: 'b', step: 1, loss: 4, lr: null },
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
      title: 'model',
    });
    expect(spec.title).toEqual({
      text: 'SFT training loss',
      subtitle: ['per optimiser step, from sft/<model>/loss.jsonl'],
    });
  });
});
