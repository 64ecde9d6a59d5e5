// Usage that must work (--version) and the central error wording: yargs messages, option
// problems and Node system errors each become one line naming the culprit.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { formatError, parseOptions, setTypedArgs, usageMessage } from '../src/errors.js';
import { exp } from './helpers.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** A Node system error the way fs throws it. */
function systemError(code: string, syscall: string, file: string): Error {
  const e = new Error(`${code}: something, ${syscall} '${file}'`);
  return Object.assign(e, { code, syscall, path: file });
}

describe('exp --version', () => {
  test.each([['--version'], ['-v']])('%s prints the version and exits 0', async (flag) => {
    const r = await exp(flag);
    expect(r).toEqual({ code: 0, out: `exp ${VERSION}`, err: '' });
  });
});

describe('yargs messages become one line', () => {
  const ctx = { commands: ['models', 'export'], fullCommands: ['models <action>', 'export'] };
  test('a bad choice names the option, the value and the choices', () => {
    const msg = 'Invalid values:\n  Argument: dtype, Given: "bf16", Choices: "fp32", "fp16"';
    expect(usageMessage(msg, { ...ctx, subcommands: [], args: [] })).toBe(
      '--dtype: expected one of fp32, fp16, got "bf16"',
    );
  });
  test('mutually exclusive options', () => {
    const msg = 'Arguments quick-test and mode are mutually exclusive';
    expect(usageMessage(msg, { ...ctx, subcommands: [], args: [] })).toBe(
      '--quick-test and --mode contradict each other; pass one',
    );
  });
});

describe('option problems read --name: expected <what>, got <value>', () => {
  const Schema = z.object({
    count: z.number().int().positive().optional(),
    kind: z.enum(['a', 'b']).optional(),
    names: z
      .string()
      .transform((s) => s.split(','))
      .pipe(z.array(z.enum(['x', 'y'])))
      .optional(),
  });
  test.each([
    [{ count: 1.5 }, ['--count', '1.5'], '--count: expected an integer, got 1.5'],
    [{ count: NaN }, ['--count', 'abc'], '--count: expected a number, got "abc"'],
    [{ count: 0 }, ['--count', '0'], '--count: expected a positive integer, got 0'],
    [{ kind: 'c' }, ['--kind', 'c'], '--kind: expected one of a, b, got "c"'],
    [{ names: 'x,z' }, ['--names', 'x,z'], '--names: expected one of x, y, got "z"'],
  ])('%j', (raw, typed, message) => {
    setTypedArgs(['run', ...typed]); // what runCli records, for the message's 'got'
    expect(() => parseOptions(Schema, raw)).toThrow(message);
  });
});

describe('Node system errors name the path and what was expected', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'exp-usage-'));
  const file = path.join(tmp, 'file');
  writeFileSync(file, 'x');
  test.each([
    [systemError('EISDIR', 'read', tmp), `error: ${tmp}: is a folder, expected a file`],
    [
      systemError('ENOTDIR', 'mkdir', path.join(file, 'sub')),
      `error: ${file}: exists and is a file, expected a folder`,
    ],
    [
      systemError('EEXIST', 'mkdir', file),
      `error: ${file}: exists and is a file, expected a folder`,
    ],
    [
      systemError('EACCES', 'mkdir', '/x/out'),
      'error: /x/out: permission denied (cannot write there)',
    ],
    [
      systemError('EROFS', 'open', '/x/out'),
      'error: /x/out: read-only file system (cannot write there)',
    ],
    [
      systemError('ENOENT', 'open', path.join(tmp, 'missing')),
      `error: ${path.join(tmp, 'missing')}: not found (no such file or folder)`,
    ],
    [
      systemError('ENOENT', 'open', path.join(tmp, 'nodir', 'f')),
      `error: ${path.join(tmp, 'nodir', 'f')}: its folder ${path.join(tmp, 'nodir')} does not exist`,
    ],
    [
      Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
      'error: no space left on the disk',
    ],
  ])('%s', (e, line) => {
    expect(formatError(e, false)).toBe(line);
  });

  test('a message already written for the user is kept', () => {
    const e = Object.assign(new Error(`${file}: file not found`), { code: 'ENOENT' });
    expect(formatError(e, false)).toBe(`error: ${file}: file not found`);
  });

  test('a prefix a caller added keeps working: the path comes from the errno text', () => {
    const e = new Error(
      `cannot read ${file}/config.json: ENOTDIR: not a directory, open '${file}/config.json'`,
    );
    expect(formatError(e, false)).toBe(`error: ${file}: exists and is a file, expected a folder`);
  });
});
