/**
 * The base of every error exp raises on purpose: its message is one line written for the user
 * (naming the file, field or option and what was expected), and `exitCode` is the CLI's exit
 * status for it (1, a failure, unless a subclass says otherwise, e.g. the CLI's usage errors: 2).
 * The CLI prints any error as one line; this class is how it tells exp's own from the rest.
 */
export class ExpError extends Error {
  // A getter, not a field: errors keep no extra own property (their JSON and equality unchanged).
  get exitCode(): number {
    return 1;
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExpError';
  }
}

/** An input problem the user can fix: the message names the file, line and field. */
export class DataError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** A download that failed (unreachable host, HTTP error, truncated or corrupt body). */
export class DownloadError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}
