/** An input problem the user can fix: the message names the file, line and field. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}
