// ExpError: the base of exp's own errors, with the CLI's exit code and no extra own property.
import { DataError, DownloadError, ExpError } from '../src/index.js';

test('DataError and DownloadError are ExpErrors with exit code 1 and their names', () => {
  const e = new DownloadError('x: truncated');
  expect(e).toBeInstanceOf(DataError);
  expect(e).toBeInstanceOf(ExpError);
  expect([e.name, e.message, e.exitCode]).toEqual(['DownloadError', 'x: truncated', 1]);
  expect(Object.keys(e)).toEqual(['name']); // as before ExpError: no exitCode property
  expect(new ExpError('y', { cause: e }).cause).toBe(e);
});
