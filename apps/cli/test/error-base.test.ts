// Every error class the packages export is an ExpError (the CLI's exit code comes from it), so
// a new package error needs no change in the CLI.
import * as data from '@exp/data';
import * as noise from '@exp/noise';
import * as models from '@exp/models';
import * as evaluation from '@exp/eval';
import * as attention from '@exp/attention';
import * as train from '@exp/train';
import * as run from '@exp/run';
import * as report from '@exp/report';
import { ExpError } from '@exp/data';
import { UsageError } from '../src/io.js';

const errorClasses = Object.entries({
  data,
  noise,
  models,
  evaluation,
  attention,
  train,
  run,
  report,
}).flatMap(([pkg, m]) =>
  Object.entries(m as Record<string, unknown>)
    .filter(([name, v]) => name.endsWith('Error') && typeof v === 'function')
    .map(([name, v]) => [`${pkg}.${name}`, v as new (...a: never[]) => Error] as const),
);

test('the packages export their error classes, each an ExpError', () => {
  expect(errorClasses.length).toBeGreaterThan(20);
  const notExp = errorClasses.filter(
    ([, c]) => c !== ExpError && !(c.prototype instanceof ExpError),
  );
  expect(notExp.map(([n]) => n)).toEqual([]);
});

test('exit codes: package errors 1, usage errors 2', () => {
  expect(new noise.NoiseError('x').exitCode).toBe(1);
  expect(new UsageError('x').exitCode).toBe(2);
  expect(new UsageError('x')).toBeInstanceOf(ExpError);
});
