/** An input problem the user can fix: the message names the file, line and field. */
export class DataError extends Error {
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
