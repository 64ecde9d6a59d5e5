// A render worker: spec in, SVG and PNG out. Sample maps are thousands of cells each and a run
// has dozens, so buildReport spreads them over worker threads (pool.ts); each worker loads vega,
// the fonts and resvg once and then renders job after job.
import { parentPort } from 'node:worker_threads';
import { renderSpecToSvg, renderSvgToPng } from './render.js';
import type { RenderJob, RenderReply } from './pool.js';

const port = parentPort;
if (!port) throw new Error('@exp/report: render worker started outside a worker thread');

port.on('message', async (job: RenderJob & { id: number }) => {
  let reply: RenderReply & { id: number };
  try {
    const svg = await renderSpecToSvg(job.spec);
    const png = renderSvgToPng(svg, { zoom: job.zoom });
    reply = { id: job.id, svg: job.keepSvg ? svg : undefined, png: new Uint8Array(png) };
  } catch (e) {
    reply = { id: job.id, error: (e as Error).message.split('\n')[0] };
  }
  port.postMessage(reply);
});
