// What runExperiment reports while it works, as typed events: the library never draws anything;
// the CLI turns events into progress bars and lines, another caller into whatever it likes.
import type { CiMethods, ResultRow } from '@exp/eval';
import type { SftProgress } from '@exp/train';

/** The steps of a run, in order. */
export const RUN_STEPS = [
  'data-gen',
  'zero-shot',
  'sft',
  'post-sft',
  'likelihood',
  'knockout',
  'knockout-generate',
  'attention',
] as const;
export type RunStep = (typeof RUN_STEPS)[number];

/**
 * The steps that stop cleanly when runExperiment's signal is aborted (between decoding steps,
 * between optimizer steps, between chunks of scored items; post-SFT evaluation runs inside
 * `sft`); the others run to their end.
 */
export const CLEAN_STOP_STEPS: ReadonlySet<RunStep> = new Set([
  'zero-shot',
  'sft',
  'likelihood',
  'knockout',
  'knockout-generate',
]);

export type RunEvent =
  /** A step begins, ends (with its wall time) or is skipped (with why). */
  | { type: 'step'; step: RunStep; status: 'started' | 'finished'; ms?: number }
  | { type: 'step'; step: RunStep; status: 'skipped'; reason: string }
  /** A line of the run's account, as `exp run` prints it ("zero-shot: wrote ...", notes, counts). */
  | { type: 'info'; step: RunStep | 'run'; text: string }
  /**
   * Progress of one piece of work (a model's download, a model x dataset evaluation, a
   * fine-tune, the attention samples): `done` of `total`, with a short note; `end` closes it.
   */
  | {
      type: 'progress';
      id: number;
      label: string;
      done: number;
      total?: number;
      note?: string;
    }
  | { type: 'progress-end'; id: number }
  /** One optimizer step of a fine-tune (its loss, learning rate, tokens). */
  | { type: 'train'; model: string; progress: SftProgress }
  /**
   * A step's results: its rows, how their intervals were computed, and the extractors whose
   * Pass@1 tables `exp run` prints.
   */
  | {
      type: 'results';
      step: 'zero-shot' | 'post-sft';
      rows: ResultRow[];
      methods: CiMethods;
      extractors: string[];
    };

export type RunEventListener = (event: RunEvent) => void;

/** A progress handle of one piece of work. */
export interface Progress {
  /** `note` is shown after the count (e.g. "| 120 tok/s"). */
  update(done: number, total?: number, note?: string): void;
  stop(): void;
}

/** How the steps report: events tagged with the step under way. */
export class Reporter {
  step: RunStep | 'run' = 'run';
  private nextId = 0;

  constructor(readonly emit: RunEventListener = () => {}) {}

  /** One line of the run's account. */
  out(text: string): void {
    this.emit({ type: 'info', step: this.step, text });
  }

  /** A progress handle; `stop` (idempotent) closes it. */
  bar(label: string): Progress {
    const id = this.nextId++;
    let open = true;
    return {
      update: (done, total, note) => {
        if (open) this.emit({ type: 'progress', id, label, done, total, note });
      },
      stop: () => {
        if (open) this.emit({ type: 'progress-end', id });
        open = false;
      },
    };
  }

  /** Runs `fn` with a progress handle that is closed when it ends. */
  async withBar<T>(label: string, fn: (bar: Progress) => Promise<T>): Promise<T> {
    const bar = this.bar(label);
    try {
      return await fn(bar);
    } finally {
      bar.stop();
    }
  }
}
