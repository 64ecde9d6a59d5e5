import { describe, expect, test } from '@jest/globals';
import { createCanvas, loadImage } from 'canvas';
import { degradationSpec, modelComparisonSpec } from '../src/charts/results.js';
import { renderSpecToSvg, renderSvgToPng, renderSvgToPngAsync } from '../src/render/render.js';
import { RESULTS, row } from './helpers.js';

const rows = [
  row({ model: 'llama', dataset: 'clean', accuracy: 0.15, ci_low: 0.1, ci_high: 0.2 }),
  row({ model: 'llama', dataset: 'inf', accuracy: 0.12, ci_low: 0.08, ci_high: 0.17 }),
  row({ model: 'diffllama', dataset: 'clean', accuracy: 0.17, ci_low: 0.12, ci_high: 0.22 }),
  row({ model: 'diffllama', dataset: 'inf', accuracy: 0.14, ci_low: 0.09, ci_high: 0.19 }),
];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Pixels darker than mid grey in rows [y0, y1) of a PNG, decoded with @napi-rs/canvas. */
async function darkPixels(png: Buffer, y0: number, y1: number): Promise<number> {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, y0, img.width, y1 - y0);
  let dark = 0;
  for (let i = 0; i < data.length; i += 4)
    if (data[i] + data[i + 1] + data[i + 2] < 3 * 128) dark++;
  return dark;
}

describe('renderSpecToSvg', () => {
  test('draws the title, axis titles, axis labels and legend as text in DejaVu Sans', async () => {
    const svg = await renderSpecToSvg(modelComparisonSpec(rows));
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts).toEqual(
      expect.arrayContaining([
        'Pass@1 by dataset and model',
        'extractor: strict; error bars: 95% CI (Wilson); n = 200 per cell',
        'dataset',
        'Pass@1',
        'clean',
        'inf',
        '0%',
        '20%',
        'model',
        'llama',
        'diffllama',
      ]),
    );
    // measured and drawn in the same font (not the machine's sans-serif)
    expect(svg).toContain('font-family="DejaVu Sans"');
    expect(svg).not.toContain('font-family="sans-serif"');
  });

  test('the degradation chart: its title, noise types, signed percentages and models', async () => {
    const svg = await renderSpecToSvg(degradationSpec(RESULTS));
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts).toEqual(
      expect.arrayContaining([
        'Relative degradation vs clean by noise type and model',
        'noise type',
        'relative degradation',
        'inf',
        '−20%',
        '40%',
        'llama',
        'diffllama',
      ]),
    );
  });
});

describe('renderSvgToPng', () => {
  test('a PNG at twice the SVG size, white background, with the title drawn', async () => {
    const svg = await renderSpecToSvg(modelComparisonSpec(rows));
    const width = Number(/<svg[^>]* width="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
    const height = Number(/<svg[^>]* height="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
    const png = renderSvgToPng(svg);
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(pngSize(png)).toEqual({ width: Math.ceil(width * 2), height: Math.ceil(height * 2) });
    expect(png.length).toBeGreaterThan(20_000);
    // The title band (padding 10 + a 13 px bold title, at zoom 2) holds only text: with the
    // fonts missing it would be blank.
    expect(await darkPixels(png, 20, 50)).toBeGreaterThan(500);
    // the top padding is white
    expect(await darkPixels(png, 0, 10)).toBe(0);
  });

  test('the async renderer gives the same bytes', async () => {
    const svg = await renderSpecToSvg(modelComparisonSpec(rows));
    expect(Buffer.compare(await renderSvgToPngAsync(svg), renderSvgToPng(svg))).toBe(0);
  });

  test('zoom scales the raster', async () => {
    const svg = await renderSpecToSvg(modelComparisonSpec(rows));
    const one = pngSize(renderSvgToPng(svg, { zoom: 1 }));
    const two = pngSize(renderSvgToPng(svg, { zoom: 2 }));
    expect(two.width).toBe(one.width * 2);
  });
});
