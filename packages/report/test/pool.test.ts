import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import type { Spec } from '../src/charts/common.js';
import { heatmapSpec } from '../src/charts/heatmap.js';
import { modelComparisonSpec } from '../src/charts/results.js';
import { renderJobs, type RenderJob } from '../src/render/pool.js';
import { renderSpecToSvg, renderSvgToPng } from '../src/render/render.js';
import { fixtureMap, row } from './helpers.js';

const chart = modelComparisonSpec([row({ model: 'llama', dataset: 'clean', accuracy: 0.15 })]);
const jobs: RenderJob[] = [
  { label: 'chart a', spec: chart, zoom: 2, keepSvg: true },
  ...(['tiny-llama', 'tiny-diffllama'] as const).flatMap((m) =>
    (['clean', 'noisy'] as const).map((c) => ({
      label: `map ${m} ${c}`,
      spec: heatmapSpec(fixtureMap('inf', m, c)),
      zoom: 2,
      keepSvg: false,
    })),
  ),
  { label: 'chart b', spec: chart, zoom: 1, keepSvg: false },
];

/** The worker as built by tsup (turbo runs `build` before `test`). */
const WORKER = path.join(
  path.dirname(new URL(import.meta.url).pathname),
  '../dist/render-worker.js',
);

async function direct(job: RenderJob) {
  const svg = await renderSpecToSvg(job.spec);
  return { svg, png: renderSvgToPng(svg, { zoom: job.zoom }) };
}

describe('renderJobs', () => {
  test('on this thread: each job as renderSpecToSvg + renderSvgToPng would give it, in order', async () => {
    const out = await renderJobs(jobs, { threads: 1 });
    expect(out).toHaveLength(jobs.length);
    for (let i = 0; i < jobs.length; i++) {
      const want = await direct(jobs[i]);
      expect(Buffer.compare(Buffer.from(out[i].png), want.png)).toBe(0);
      expect(out[i].svg).toBe(jobs[i].keepSvg ? want.svg : undefined);
    }
  });

  test('on worker threads: the same bytes, in job order', async () => {
    if (!existsSync(WORKER)) {
      throw new Error(`${WORKER} not found: build the package first (pnpm -F @exp/report build)`);
    }
    const here = await renderJobs(jobs, { threads: 1 });
    const pooled = await renderJobs(jobs, { threads: 2, worker: pathToFileURL(WORKER) });
    expect(pooled.map((r) => Buffer.from(r.png).toString('base64'))).toEqual(
      here.map((r) => Buffer.from(r.png).toString('base64')),
    );
    expect(pooled.map((r) => r.svg)).toEqual(here.map((r) => r.svg));
  });

  test('a spec that cannot be rendered fails naming its job, on either path', async () => {
    const bad: RenderJob = {
      label: 'chart broken',
      // a calculate expression vega cannot parse
      spec: {
        mark: 'bar',
        data: { values: [{ a: 1 }] },
        transform: [{ calculate: 'datum.a +* 2', as: 'b' }],
        encoding: { x: { field: 'b', type: 'quantitative' } },
      } as Spec,
      zoom: 1,
      keepSvg: false,
    };
    const all = [...jobs, bad];
    await expect(renderJobs(all, { threads: 1 })).rejects.toThrow(
      /^chart broken could not be rendered: /,
    );
    if (existsSync(WORKER)) {
      await expect(renderJobs(all, { threads: 2, worker: pathToFileURL(WORKER) })).rejects.toThrow(
        /^chart broken could not be rendered: /,
      );
    }
  });
});
