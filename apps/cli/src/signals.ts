// Process-wide SIGINT / SIGTERM handling. Both signals mean "stop": a command that supports a
// clean stop (exp run) opens an interruptible scope and gets an AbortSignal; anywhere else the
// process restores the terminal and exits at once. A second signal always exits at once. The exit
// code is 128 + the signal number: 130 for SIGINT (Ctrl-C), 143 for SIGTERM.

export type StopSignal = 'SIGINT' | 'SIGTERM';

const EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** Work to do before the process leaves on a signal (clear progress bars...); must not throw. */
const cleanups = new Set<() => void>();
/** Open interruptible scopes, newest last. */
const scopes = new Set<AbortController>();
let received: StopSignal | null = null;
let installed = false;

function runCleanups(): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      // a failing cleanup must not keep the process from leaving
    }
  }
}

function onSignal(sig: StopSignal): void {
  runCleanups();
  if (received !== null || scopes.size === 0) process.exit(EXIT_CODES[sig]);
  received = sig;
  for (const ctl of scopes) ctl.abort(sig);
}

/** Installs the handlers once (idempotent); without them Node dies on the signal, mid-write. */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

/** Registers `fn` to run when a signal arrives (before aborting or exiting); returns its removal. */
export function onSignalCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** The signal received so far, if any. */
export function receivedSignal(): StopSignal | null {
  return received;
}

/** Exit code of a command stopped by a signal: 130 for SIGINT (also when none came), 143 for SIGTERM. */
export function interruptedExitCode(): number {
  return EXIT_CODES[received ?? 'SIGINT'];
}

/**
 * Opens a scope in which the first SIGINT or SIGTERM aborts `signal` (after calling `onInterrupt`)
 * instead of exiting; the command then stops cleanly and returns interruptedExitCode(). A signal
 * that came before the scope opened aborts it at once. `dispose` closes the scope.
 */
export function interruptible(onInterrupt?: (sig: StopSignal) => void): {
  signal: AbortSignal;
  dispose: () => void;
} {
  installSignalHandlers();
  const ctl = new AbortController();
  if (received !== null) ctl.abort(received);
  else {
    ctl.signal.addEventListener('abort', () => onInterrupt?.(ctl.signal.reason as StopSignal), {
      once: true,
    });
    scopes.add(ctl);
  }
  return { signal: ctl.signal, dispose: () => scopes.delete(ctl) };
}
