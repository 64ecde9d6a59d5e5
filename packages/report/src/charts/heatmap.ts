// A per-sample attention heat map (attention_samples/<dataset>/<model>/<id>.<condition>.json):
// query tokens as rows, key tokens as columns, both labelled with the tokens themselves. The
// values are plotted exactly as given — no clamp, no renormalisation — only the window shown is
// chosen: the question's tokens plus a few either side.
import type { SampleMap, TokenClass } from '@exp/attention';
import { divergingScale, maxAbs, PADDING, title, VEGA_LITE_SCHEMA, type Spec } from './common.js';

/** Map forms whose values are signed by construction (A1 − λ·A2 and its normalised version). */
export const SIGNED_FORMS: ReadonlySet<string> = new Set([
  'differential',
  'differential-normalised',
]);

/** Label colour of each token class: noise stands out in red, key math information in blue. */
export const CLASS_COLOURS: Record<TokenClass, string> = {
  NI: '#d62728',
  KMI: '#1f63b4',
  OC: '#222222',
  special: '#8c8c8c',
};

/**
 * A token as an axis label. A bare or leading space renders blank or trimmed in vega's axis labels, and a
 * newline would break the label, so whitespace is shown as visible marks: ␣ space, ↵ newline,
 * ⇥ tab; an empty token as ∅.
 */
export function displayToken(token: string): string {
  if (token === '') return '∅';
  return token.replace(/ /g, '␣').replace(/\r?\n/g, '↵').replace(/\t/g, '⇥');
}

/**
 * Sequential colours for softmax maps: ColorBrewer Blues at 0, 0.5 and 1 (seaborn's "Blues",
 * as the original's figures). Vega's own `blues` scheme starts at a mid blue (#cfe1f2), which
 * makes a masked (zero) key look like a small weight; this one starts at near white.
 */
export const BLUES = ['#f7fbff', '#6baed6', '#08306b'];

export interface HeatmapOptions {
  /** Tokens shown on each side of the question's token range; default 3. */
  context?: number;
}

/** The token window [start, end) a heat map shows: the question plus `context` either side. */
export function heatmapWindow(map: SampleMap, context = 3): [number, number] {
  const S = map.tokens.length;
  return [Math.max(0, map.question[0] - context), Math.min(S, map.question[1] + context)];
}

export function heatmapSpec(map: SampleMap, opts: HeatmapOptions = {}): Spec {
  const [start, end] = heatmapWindow(map, opts.context ?? 3);
  const values: { q: number; k: number; v: number }[] = [];
  let masked = 0;
  for (let q = start; q < end; q++) {
    for (let k = start; k < end; k++) {
      const v = map.matrix[q][k];
      // A key after the query is masked in a causal decoder: its exact 0 is left as a blank
      // cell rather than drawn (half the cells, half the rendering time). Any value that is not
      // exactly 0 there is data and is drawn like the rest.
      if (k > q && v === 0) {
        masked++;
        continue;
      }
      values.push({ q, k, v });
    }
  }
  const shown = values.map((d) => d.v);
  // Signed forms (and any map that does hold a negative value) get a diverging scale with a
  // symmetric domain, so a negative weight never reads as a small positive one.
  const signed = SIGNED_FORMS.has(map.form) || shown.some((v) => v < 0);
  const n = end - start;
  // Cells shrink with the window so a long question stays within ~1000 px (before zoom);
  // labels stay at least 8 px, 16 px in the zoomed PNG.
  const cell = n <= 40 ? 16 : n <= 60 ? 13 : n <= 100 ? 10 : 8;
  const fontSize = Math.min(11, cell - 2);
  const head = map.head === 'mean' ? 'mean of heads' : `head ${map.head}`;
  // Labels and classes are looked up by token index (the field), so repeated tokens keep their
  // own row and column instead of merging into one ordinal value.
  const colourExpr = `classColours[classes[datum.value]]`;
  const weightExpr = `classes[datum.value] === 'NI' ? 'bold' : 'normal'`;
  const axis = {
    labelExpr: 'tokens[datum.value]',
    labelColor: { expr: colourExpr },
    labelFontWeight: { expr: weightExpr },
    labelFontSize: fontSize,
    labelOverlap: false,
    labelLimit: 140,
    ticks: false,
    labelPadding: 3,
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title(`${map.model} · ${map.dataset} · ${map.id} (${map.condition})`, [
      `${map.form} map, layer ${map.layer}, ${head}; rows: query tokens, columns: key tokens`,
      `labels: red bold = noise (NI), blue = key math information (KMI), grey = special; tokens ${start}–${end - 1} of ${map.tokens.length}` +
        (masked ? '; blank: masked (future) keys' : ''),
    ]),
    params: [
      { name: 'tokens', value: map.tokens.map(displayToken) },
      { name: 'classes', value: map.classes },
      { name: 'classColours', value: CLASS_COLOURS },
    ],
    data: { values },
    width: { step: cell },
    height: { step: cell },
    // No ARIA labels or tooltips: the map is drawn to PNG, where they do nothing, and on a
    // 100-token map they made the SVG three times larger and its rendering three times slower.
    mark: { type: 'rect', aria: false },
    encoding: {
      x: {
        field: 'k',
        type: 'ordinal',
        title: 'key token',
        axis: { ...axis, labelAngle: -90, orient: 'bottom' },
      },
      y: { field: 'q', type: 'ordinal', title: 'query token', axis },
      color: {
        field: 'v',
        type: 'quantitative',
        title: signed ? 'weight (signed)' : 'weight',
        scale: signed
          ? divergingScale(maxAbs(shown))
          : { range: BLUES, domainMin: 0, interpolate: 'hcl' },
        legend: { gradientLength: Math.max(120, Math.min(300, n * cell)) },
      },
    },
  } as Spec;
}
