// Renders many specs (charts and per-sample maps) to SVG + PNG, over worker threads where the
// machine has cores to spare: a sample map is thousands of cells, a run has dozens of them, and
// one thread would take tens of seconds. Output does not depend on the thread count (each job
// is rendered alone, by the same code), only the wall time does.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Spec } from '../charts/common.js';
import { renderSpecToSvg, renderSvgToPngAsync } from './render.js';

export interface RenderJob {
  /** Names the job in an error: 'chart model_comparison', 'sample map attention_samples/...'. */
  label: string;
  spec: Spec;
  zoom: number;
  /** Whether the SVG text is wanted back (charts keep theirs; maps are PNG only). */
  keepSvg: boolean;
}

/** A worker's answer to one job. */
export interface RenderReply {
  svg?: string;
  png?: Uint8Array;
  error?: string;
}

export interface RenderResult {
  svg?: string;
  png: Uint8Array;
}

export interface RenderJobsOptions {
  /** Worker threads; default the machine's parallelism up to 8; 1 renders on this thread. */
  threads?: number;
  /** The worker script; default the built one beside this module (tests pass dist's). */
  worker?: URL;
}

/**
 * The worker script beside this module once built (dist/render-worker.js), or null when running
 * from source (tests, tsx): Node 20 applies no loader hooks inside worker threads, so worker.ts
 * cannot be started there and rendering stays on this thread.
 */
function builtWorker(): URL | null {
  if (import.meta.url.endsWith('.ts')) return null;
  const url = new URL('./render-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** Starting a worker costs about as much as a few renders: below this many jobs one thread wins. */
const MIN_JOBS_PER_WORKER = 3;

function defaultThreads(): number {
  return Math.min(8, os.availableParallelism());
}

/** On this thread: SVG here, PNG on libuv's pool while the next SVG is built. */
async function renderHere(jobs: readonly RenderJob[]): Promise<RenderResult[]> {
  const pending: Promise<RenderResult>[] = [];
  for (const job of jobs) {
    let svg: string;
    try {
      svg = await renderSpecToSvg(job.spec);
    } catch (e) {
      throw new Error(`${job.label} could not be rendered: ${(e as Error).message.split('\n')[0]}`);
    }
    const done = renderSvgToPngAsync(svg, { zoom: job.zoom }).then((png) => ({
      svg: job.keepSvg ? svg : undefined,
      png,
    }));
    done.catch(() => {}); // handled by Promise.all below; marked now so Node does not warn
    pending.push(done);
  }
  return Promise.all(pending);
}

function renderOnWorkers(
  jobs: readonly RenderJob[],
  threads: number,
  worker: URL,
): Promise<RenderResult[]> {
  return new Promise((resolve, reject) => {
    const results: RenderResult[] = new Array(jobs.length);
    const workers: Worker[] = [];
    let next = 0;
    let finished = 0;
    let failed = false;
    const stop = () => workers.forEach((w) => void w.terminate());
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      stop();
      reject(error);
    };
    const feed = (w: Worker) => {
      if (next >= jobs.length) return;
      const id = next++;
      const { spec, zoom, keepSvg } = jobs[id];
      w.postMessage({ id, spec, zoom, keepSvg });
    };
    for (let t = 0; t < threads; t++) {
      // No options of this process (--input-type, --eval, ...) belong to a worker: it needs none.
      const w = new Worker(worker, { execArgv: [] });
      workers.push(w);
      w.on('message', (reply: RenderReply & { id: number }) => {
        if (failed) return;
        const job = jobs[reply.id];
        if (reply.error !== undefined || !reply.png) {
          fail(new Error(`${job.label} could not be rendered: ${reply.error ?? 'no PNG'}`));
          return;
        }
        results[reply.id] = { svg: reply.svg, png: reply.png };
        if (++finished === jobs.length) {
          stop();
          resolve(results);
        } else {
          feed(w);
        }
      });
      w.on('error', (e) =>
        fail(new Error(`@exp/report render worker failed: ${e.message.split('\n')[0]}`)),
      );
      feed(w);
    }
  });
}

/** Renders every job to SVG (where kept) and PNG, in job order. */
export async function renderJobs(
  jobs: readonly RenderJob[],
  opts: RenderJobsOptions = {},
): Promise<RenderResult[]> {
  const threads = Math.min(
    opts.threads ?? defaultThreads(),
    Math.floor(jobs.length / MIN_JOBS_PER_WORKER),
  );
  const worker = threads >= 2 ? (opts.worker ?? builtWorker()) : null;
  return worker ? renderOnWorkers(jobs, threads, worker) : renderHere(jobs);
}
