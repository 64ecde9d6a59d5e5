// report.html's size: PNGs inlined (one self-contained file) while small, linked by relative paths
// to the files beside the page when they would make it large, and the option that decides.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { buildReport } from '../src/build-report.js';
import { readRun } from '@exp/run';
import { INLINE_LIMIT, inlinedBytes, reportHtml } from '../src/report/html.js';
import type { ChartEntry, MapEntry } from '../src/report/content.js';
import { copyRun, DATA, FIXTURE_CHARTS } from './helpers.js';

const PAYLOAD = /<script type="application\/json" id="report-data">(.*?)<\/script>/s;

/** Every image source of a page: the chart fallbacks' src and the sample maps' (in its data). */
function imageSources(html: string): { charts: string[]; maps: string[] } {
  const charts = [...html.matchAll(/<img class="fallback" alt="[^"]*" src="([^"]*)"/g)].map(
    (m) => m[1],
  );
  const data = JSON.parse(PAYLOAD.exec(html)![1]) as { maps: { src: string }[] };
  return { charts, maps: data.maps.map((m) => m.src) };
}

describe('report.html: inlined or linked images', () => {
  let dir: string;

  beforeAll(async () => {
    dir = copyRun();
  });

  test('a small report (the fixture: 8 charts, 8 maps) inlines every PNG', async () => {
    const r = await buildReport(dir, { dataDir: DATA, threads: 1 });
    expect(r.html.selfContained).toBe(true);
    expect(r.html.imageBytes).toBeGreaterThan(0);
    expect(r.html.imageBytes).toBeLessThan(INLINE_LIMIT);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    const src = imageSources(html);
    expect(src.charts).toHaveLength(FIXTURE_CHARTS.length);
    expect(src.maps).toHaveLength(8);
    for (const s of [...src.charts, ...src.maps]) expect(s).toMatch(/^data:image\/png;base64,/);
    expect(html).not.toContain('class="linked"');
  });

  test('over the limit the PNGs are linked by relative paths that exist beside the page', async () => {
    // the fixture's PNGs take more than 1,000 bytes: linked
    const r = await buildReport(dir, { dataDir: DATA, threads: 1, inlineLimit: 1000 });
    expect(r.html.selfContained).toBe(false);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).not.toContain('data:image/png');
    const src = imageSources(html);
    expect(src.charts).toEqual(FIXTURE_CHARTS.map((c) => `charts/${c}.png`));
    expect(src.maps).toHaveLength(8);
    expect(src.maps[0]).toBe('attention_maps/inf_samples/tiny-llama_gsm8k-test-1_clean.png');
    for (const s of [...src.charts, ...src.maps]) {
      expect(path.isAbsolute(s)).toBe(false);
      expect(existsSync(path.join(dir, decodeURIComponent(s)))).toBe(true);
    }
    expect(html).toContain(
      'keep <code>charts/</code> and <code>attention_maps/</code> beside this page, or rebuild it with <code>exp report --self-contained</code> for one file.',
    );
    // the option forces one file whatever the size, or links a small one
    const forced = await buildReport(dir, {
      dataDir: DATA,
      threads: 1,
      inlineLimit: 1000,
      selfContained: true,
    });
    expect(forced.html.selfContained).toBe(true);
    const inlined = imageSources(readFileSync(path.join(dir, 'report.html'), 'utf8'));
    for (const s of [...inlined.charts, ...inlined.maps]) expect(s).toMatch(/^data:image\/png;/);
    const linked = await buildReport(dir, { dataDir: DATA, threads: 1, selfContained: false });
    expect(linked.html.selfContained).toBe(false);
  });

  test('at the default limit (5 MiB): many large maps are linked, the same page smaller inlines', async () => {
    await buildReport(dir, { dataDir: DATA, threads: 1 });
    const run = readRun(dir, { dataDir: DATA });
    const png = (rel: string) => new Uint8Array(readFileSync(path.join(dir, rel)));
    const charts: ChartEntry[] = FIXTURE_CHARTS.map((name) => ({
      name,
      title: name,
      description: name,
      spec: {} as ChartEntry['spec'],
      svg: `charts/${name}.svg`,
      png: `charts/${name}.png`,
      pngData: png(`charts/${name}.png`),
    }));
    const one: MapEntry = {
      dataset: 'inf',
      model: 'tiny-llama',
      id: 'gsm8k-test-1',
      condition: 'noisy',
      form: 'softmax',
      layer: 2,
      head: 'mean',
      png: 'attention_maps/inf_samples/tiny-llama_gsm8k-test-1_noisy.png',
    };
    // 60 maps of 100,000 bytes each: 8 MB inlined as base64, over 5 MiB
    const big = Array.from({ length: 60 }, () => ({ ...one, pngData: new Uint8Array(100_000) }));
    const content = { run, extractors: ['strict', 'seed'], charts, maps: big, tables: [] };
    expect(inlinedBytes(content)).toBeGreaterThan(INLINE_LIMIT);
    const bundles = { vega: '', vegaLite: '' };
    const linked = reportHtml(content, { bundles });
    expect(imageSources(linked).maps).toEqual(Array(60).fill(one.png));
    expect(existsSync(path.join(dir, one.png))).toBe(true);
    // 20 of them (2.7 MB inlined): under the limit, inlined
    const small = { ...content, maps: big.slice(0, 20) };
    expect(inlinedBytes(small)).toBeLessThan(INLINE_LIMIT);
    const inlined = reportHtml(small, { bundles });
    expect(imageSources(inlined).maps.every((s) => s.startsWith('data:image/png;base64,'))).toBe(
      true,
    );
    expect(Buffer.byteLength(linked)).toBeLessThan(Buffer.byteLength(inlined));
  });
});
