import cliProgress from 'cli-progress';
import type { Io } from './io.js';

export interface Progress {
  /** `extra` is shown after the ETA (e.g. "| 120 tok/s"). */
  update(done: number, total?: number, extra?: string): void;
  stop(): void;
}

/** A bar with count, rate and ETA on a terminal; silent otherwise (logs stay clean). */
export function progressBar(io: Io, label: string): Progress {
  if (!io.interactive) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted}{extra}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const t0 = Date.now();
  return {
    update(done, total, extra) {
      if (!started) {
        bar.start(total ?? 0, 0, { rate: '0', extra: '' });
        started = true;
      }
      if (total !== undefined) bar.setTotal(total);
      const rate = done / Math.max((Date.now() - t0) / 1000, 1e-3);
      bar.update(done, {
        rate: rate >= 100 ? rate.toFixed(0) : rate.toFixed(1),
        extra: extra ? ` ${extra}` : '',
      });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Runs `fn` with a progress bar that is cleared when it ends, before any result is printed. */
export async function withProgress<T>(
  io: Io,
  label: string,
  fn: (bar: Progress) => Promise<T>,
): Promise<T> {
  const bar = progressBar(io, label);
  try {
    return await fn(bar);
  } finally {
    bar.stop();
  }
}
