import { ExpError } from '@exp/data';

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

/** An error whose message is meant for the user as it is: printed as one line, exit code 2. */
export class UsageError extends ExpError {
  override get exitCode(): number {
    return 2;
  }

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

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
