// `exp run`: the options, then @exp/run's runExperiment (data generation -> zero-shot
// evaluation -> SFT and post-SFT evaluation -> attention) with its events drawn as progress bars
// and lines, then the report.
import { formatPivot } from '@exp/eval';
import { buildReport } from '@exp/report';
import {
  CLEAN_STOP_STEPS,
  RunOptionsSchema,
  recordReportTime,
  recordRunFailure,
  resumeOptions,
  runExperiment,
  type RunEvent,
  type RunOptions,
} from '@exp/run';
import { parseOptions } from '../errors.js';
import { optionsFrom } from '../schema-options.js';
import type { CommandFactory } from '../cli.js';
import { InterruptedError, type Io } from '../io.js';
import { progressBar, type Progress } from '../progress.js';
import { INSTRUCTIONS } from './instructions.js';
import { runSetup } from './setup.js';
import { installSignalHandlers, interruptedExitCode, interruptible } from '../signals.js';

/** The options the user typed (yargs' argv holds only those, in both spellings, plus verbose). */
function givenOptions(argv: Record<string, unknown>): string[] {
  return Object.keys(argv).filter(
    (k) => k !== '_' && k !== '$0' && !k.includes('-') && argv[k] !== undefined,
  );
}

/**
 * runExperiment's events as `exp run` shows them: lines on stdout, a bar per piece of work on a
 * terminal, the Pass@1 tables after each evaluation step; and, while a clean-stop step runs, the
 * first signal aborts `abort` instead of exiting.
 */
function eventPrinter(io: Io, abort: AbortController): (e: RunEvent) => void {
  const bars = new Map<number, Progress>();
  let scope: { dispose: () => void } | null = null;
  return (e) => {
    switch (e.type) {
      case 'info':
        io.out(e.text);
        break;
      case 'progress': {
        let bar = bars.get(e.id);
        if (!bar) bars.set(e.id, (bar = progressBar(io, e.label)));
        bar.update(e.done, e.total, e.note);
        break;
      }
      case 'progress-end':
        bars.get(e.id)?.stop();
        bars.delete(e.id);
        break;
      case 'results':
        for (const extractor of e.extractors) {
          io.out('');
          io.out(formatPivot(e.rows, extractor, e.methods));
        }
        break;
      case 'step':
        if (!CLEAN_STOP_STEPS.has(e.step)) break;
        if (e.status === 'started') {
          const s = interruptible((sig) =>
            io.err(
              `interrupted (${sig}): finishing the samples in flight is skipped; logged samples are kept`,
            ),
          );
          s.signal.addEventListener('abort', () => abort.abort(s.signal.reason), { once: true });
          if (s.signal.aborted) abort.abort(s.signal.reason);
          scope = s;
        } else {
          scope?.dispose();
          scope = null;
        }
        break;
      case 'train':
        break; // drawn by its progress bar
    }
  };
}

async function executeRun(options: RunOptions, io: Io): Promise<number> {
  const abort = new AbortController();
  const run = await runExperiment(options, {
    signal: abort.signal,
    onEvent: eventPrinter(io, abort),
    command: ['exp', ...(io.args ?? [])],
  });
  if (run.status === 'finished' && !options.skipReport) {
    const t = Date.now();
    const { files, notes } = await buildReport(run.dir).catch((e: unknown) => {
      recordRunFailure(run.dir, e); // the run is failed, as when a step fails
      throw e;
    });
    // only the report's own facts are added afterwards
    recordReportTime(run.dir, Date.now() - t);
    for (const n of notes) io.out(`report: ${n}`);
    io.out(`report: ${files.length} files; open ${run.dir}/report.html`);
  }
  io.out(`manifest: ${run.dir}/manifest.json`);
  if (run.status === 'interrupted') {
    const out = options.out ? ` --out ${options.out}` : '';
    io.out(`interrupted: continue with \`pnpm exp run --resume ${run.runId}${out}\``);
    return interruptedExitCode();
  }
  return 0;
}

export const runCommand: CommandFactory = (io) => (y) =>
  y.command(
    'run',
    'Run the experiment: data generation, zero-shot evaluation, SFT, attention analysis, report',
    (c) => optionsFrom(c, RunOptionsSchema),
    async (argv) => {
      installSignalHandlers(); // before any work: a signal outside a clean-stop step exits at once
      const parsed = parseOptions(RunOptionsSchema, argv);
      const options = parsed.resume
        ? resumeOptions(parsed.resume, givenOptions(argv), parsed)
        : parsed;
      if (options.instructions) {
        io.out(INSTRUCTIONS);
        return;
      }
      if (options.setup) {
        await runSetup({ cuda: false }, io);
        return;
      }
      const code = await executeRun(options, io);
      if (code !== 0) throw new InterruptedError(code); // 130 after SIGINT, 143 after SIGTERM
    },
  );
