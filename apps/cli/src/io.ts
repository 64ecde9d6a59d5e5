/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** True when stderr is a terminal: progress bars are drawn only then. */
  interactive: boolean;
  /** The arguments the command line was given (runCli fills it in), for run manifests. */
  args?: readonly string[];
}

export const processIo: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  interactive: Boolean(process.stderr.isTTY),
};

// the one-line usage error every command throws is @exp/run's (the run's options throw it too)
export { UsageError } from '@exp/run';

/**
 * A run stopped by a signal after saving its work: exit code 130 (SIGINT, Ctrl-C, the default)
 * or 143 (SIGTERM), nothing more to print.
 */
export class InterruptedError extends Error {
  constructor(readonly exitCode: number = 130) {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}
