import { describe, expect, test } from '@jest/globals';
import {
  BLUES,
  CLASS_COLOURS,
  displayToken,
  heatmapSpec,
  heatmapWindow,
} from '../src/charts/heatmap.js';
import { renderSpecToSvg } from '../src/render/render.js';
import type { SampleMap } from '@exp/attention';
import { fixtureMap } from './helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- specs are untyped JSON once built */

/** A small synthetic map: S tokens, question at [qs, qe), value(i, j) as given. */
function synthetic(
  S: number,
  qs: number,
  qe: number,
  form: SampleMap['form'],
  value: (i: number, j: number) => number,
): SampleMap {
  const tokens = Array.from({ length: S }, (_, i) => (i === 0 ? '<|begin_of_text|>' : ` t${i}`));
  return {
    id: 'x',
    model: 'm',
    dataset: 'inf',
    condition: 'noisy',
    tokens,
    offsets: tokens.map(() => [0, 0] as [number, number]),
    classes: tokens.map((_, i) => (i === 0 ? 'special' : i % 5 === 0 ? 'NI' : 'OC')),
    question: [qs, qe],
    layer: 3,
    head: 'mean',
    form,
    matrix: Array.from({ length: S }, (_, i) => Array.from({ length: S }, (_, j) => value(i, j))),
  };
}

describe('displayToken', () => {
  test('makes whitespace visible and keeps everything else', () => {
    expect(displayToken(' the')).toBe('␣the');
    expect(displayToken('  ')).toBe('␣␣');
    expect(displayToken('\n')).toBe('↵');
    expect(displayToken('\t')).toBe('⇥');
    expect(displayToken('')).toBe('∅');
    expect(displayToken('<|eot_id|>')).toBe('<|eot_id|>');
  });
});

describe('heatmapSpec', () => {
  test('the window is the question plus `context` tokens either side, clipped to the prompt', () => {
    const map = synthetic(30, 10, 20, 'softmax', () => 0);
    expect(heatmapWindow(map)).toEqual([7, 23]);
    expect(heatmapWindow(map, 0)).toEqual([10, 20]);
    expect(heatmapWindow(map, 15)).toEqual([0, 30]);
  });

  test('plots the given values unchanged; exact zeros of masked (future) keys are left blank', () => {
    const map = synthetic(30, 10, 20, 'softmax', (i, j) => (j <= i ? 1 / (i + 1) : 0));
    const spec = heatmapSpec(map) as any;
    // the 16 x 16 window's lower triangle with the diagonal
    expect(spec.data.values).toHaveLength((16 * 17) / 2);
    for (const { q, k, v } of spec.data.values) {
      expect(k).toBeLessThanOrEqual(q);
      expect(v).toBe(map.matrix[q][k]);
    }
    expect(spec.data.values[0]).toEqual({ q: 7, k: 7, v: 1 / 8 });
    expect(spec.title.subtitle[1]).toMatch(/; blank: masked \(future\) keys$/);
  });

  test('a non-zero value above the diagonal is data, and drawn', () => {
    const map = synthetic(6, 0, 6, 'differential', (i, j) =>
      j === 5 && i === 0 ? 0.3 : j <= i ? -0.1 : 0,
    );
    const spec = heatmapSpec(map) as any;
    expect(spec.data.values).toContainEqual({ q: 0, k: 5, v: 0.3 });
    expect(spec.data.values).toHaveLength(21 + 1);
    // a full matrix has nothing masked, and says nothing about it
    const full = heatmapSpec(synthetic(6, 0, 6, 'softmax', () => 1 / 6)) as any;
    expect(full.data.values).toHaveLength(36);
    expect(full.title.subtitle[1]).not.toContain('masked');
  });

  test('axis labels are the tokens (looked up by index), coloured by class', () => {
    const map = fixtureMap('inf', 'tiny-diffllama', 'noisy');
    const spec = heatmapSpec(map) as any;
    const params = Object.fromEntries(spec.params.map((p: any) => [p.name, p.value]));
    expect(params.tokens).toEqual(map.tokens.map(displayToken));
    expect(params.tokens.slice(17, 21)).toEqual(['␣The', '␣apartment', '␣building', '␣on']);
    expect(params.classes).toEqual(map.classes);
    expect(params.classColours).toEqual(CLASS_COLOURS);
    for (const channel of ['x', 'y']) {
      const axis = spec.encoding[channel].axis;
      expect(axis.labelExpr).toBe('tokens[datum.value]');
      expect(axis.labelColor).toEqual({ expr: 'classColours[classes[datum.value]]' });
      expect(axis.labelFontWeight).toEqual({
        expr: "classes[datum.value] === 'NI' ? 'bold' : 'normal'",
      });
      expect(axis.labelOverlap).toBe(false);
    }
    expect(spec.encoding.x.field).toBe('k');
    expect(spec.encoding.y.field).toBe('q');
  });

  test('the title names the sample and the subtitle the form, layer and head', () => {
    const spec = heatmapSpec(fixtureMap('inf', 'tiny-diffllama', 'noisy')) as any;
    expect(spec.title.text).toBe('tiny-diffllama · inf · gsm8k-test-1 (noisy)');
    expect(spec.title.subtitle[0]).toBe(
      'differential-normalised map, layer 2, mean of heads; rows: query tokens, columns: key tokens',
    );
    const mean = heatmapSpec(synthetic(8, 1, 8, 'softmax', () => 0.1)) as any;
    expect(mean.title.subtitle[0]).toBe(
      'softmax map, layer 3, mean of heads; rows: query tokens, columns: key tokens',
    );
  });

  test('a signed (differential) map gets a diverging scale with a domain symmetric around 0', () => {
    const map = fixtureMap('inf', 'tiny-diffllama', 'noisy');
    const spec = heatmapSpec(map) as any;
    const shown = spec.data.values.map((d: any) => d.v as number);
    expect(Math.min(...shown)).toBeLessThan(0);
    const m = Math.max(...shown.map(Math.abs));
    expect(m).toBe(Math.max(...map.matrix.flat().map(Math.abs)));
    expect(spec.encoding.color.scale).toEqual({
      scheme: 'redblue',
      reverse: true,
      domain: [-m, m],
      domainMid: 0,
    });
    expect(spec.encoding.color.title).toBe('weight (signed)');
  });

  test('a softmax map gets the sequential Blues from 0; a negative value still forces diverging', () => {
    const softmax = heatmapSpec(fixtureMap('inf', 'tiny-llama', 'noisy')) as any;
    expect(softmax.encoding.color.scale).toEqual({
      range: BLUES,
      domainMin: 0,
      interpolate: 'hcl',
    });
    const odd = heatmapSpec(
      synthetic(6, 1, 6, 'softmax', (i, j) => (i === j ? -0.25 : 0.1)),
    ) as any;
    expect(odd.encoding.color.scale).toEqual({
      scheme: 'redblue',
      reverse: true,
      domain: [-0.25, 0.25],
      domainMid: 0,
    });
  });

  test('the rendered SVG carries the token labels and the title', async () => {
    const svg = await renderSpecToSvg(heatmapSpec(fixtureMap('sd', 'tiny-llama', 'noisy')));
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const label of ['␣Knitting', '␣needles', '␣bolts', '&lt;|begin_of_text|&gt;', '?']) {
      expect(texts).toContain(label);
    }
    expect(texts).toContain('tiny-llama · sd · gsm8k-test-1 (noisy)');
    expect(texts).toContain('key token');
    expect(texts).toContain('query token');
    // the noise tokens' labels are drawn in the NI colour
    expect(svg).toMatch(/fill="#d62728"[^>]*>␣Knitting</);
  });
});
