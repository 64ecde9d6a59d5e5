import cliProgress from 'cli-progress';
import type { Progress } from '@exp/run';
import type { Io } from './io.js';
import { installSignalHandlers, onSignalCleanup } from './signals.js';

// A bar is @exp/run's progress handle drawn: its note is shown after the ETA ("| 120 tok/s").
export type { Progress } from '@exp/run';

/** Show the cursor and turn line wrapping back on (what a bar with hideCursor turns off). */
export const RESTORE_TERMINAL = '\x1b[?7h\x1b[?25h';

/**
 * Whether bars are drawn: on a terminal (io.interactive), or always / never as EXP_PROGRESS says
 * (`always` draws on a pipe too, for tests of what a terminal sees; `never` keeps a terminal clean).
 */
function drawBars(io: Io): boolean {
  const mode = process.env.EXP_PROGRESS;
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return io.interactive;
}

/** stderr, or, when bars are forced onto a pipe, stderr as cli-progress must see a terminal. */
function barStream(): NodeJS.WriteStream {
  if (process.stderr.isTTY) return process.stderr;
  return {
    isTTY: true,
    columns: process.stderr.columns || 100,
    write: (chunk: string) => process.stderr.write(chunk),
  } as unknown as NodeJS.WriteStream;
}

/** Bars started and not stopped; a signal or the process exit clears them. */
const live = new Set<cliProgress.SingleBar>();
let drewAny = false;

/** Stops a bar and clears its line (a signal, or an exit with the bar still up). */
function clearBar(bar: cliProgress.SingleBar): void {
  live.delete(bar);
  (bar as unknown as { options: { clearOnComplete: boolean } }).options.clearOnComplete = true;
  bar.stop();
}

function clearAll(): void {
  for (const bar of [...live]) clearBar(bar);
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  onSignalCleanup(clearAll);
  // Whatever ends the process (a signal, process.exit, an uncaught error), the terminal is left
  // with its cursor shown and lines wrapping.
  process.on('exit', () => {
    clearAll();
    if (drewAny) process.stderr.write(RESTORE_TERMINAL);
  });
}

/** A bar with count, rate and ETA on a terminal; silent otherwise (logs stay clean). */
export function progressBar(io: Io, label: string): Progress {
  installSignalHandlers();
  if (!drawBars(io)) return { update: () => {}, stop: () => {} };
  hookExit();
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted}{extra}`,
      stream: barStream(),
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let state: 'new' | 'live' | 'done' = 'new';
  const t0 = Date.now();
  return {
    update(done, total, extra) {
      if (state === 'done') return;
      if (state === 'new') {
        bar.start(total ?? 0, 0, { rate: '0', extra: '' });
        live.add(bar);
        drewAny = true;
        state = 'live';
      }
      if (!live.has(bar)) {
        state = 'done'; // cleared by a signal: not drawn again
        return;
      }
      if (total !== undefined) bar.setTotal(total);
      const rate = done / Math.max((Date.now() - t0) / 1000, 1e-3);
      bar.update(done, {
        rate: rate >= 100 ? rate.toFixed(0) : rate.toFixed(1),
        extra: extra ? ` ${extra}` : '',
      });
    },
    stop() {
      if (state === 'live' && live.has(bar)) {
        live.delete(bar);
        bar.stop();
      }
      state = 'done';
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
