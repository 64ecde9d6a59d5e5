// Each CLI option is declared once, in its command's zod schema: optionsFrom derives the yargs
// declaration (type, default, choices, required, alias, positional) from it, and every command's
// yargs options are exactly its schema's fields.
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { z } from 'zod';
import { RunOptionsSchema, commaList, flagName } from '@exp/run';
import { buildCli, GlobalOptionsSchema } from '../src/cli.js';
import * as data from '../src/commands/data.js';
import { DoctorOptionsSchema } from '../src/commands/doctor.js';
import { extractOptions, rescoreOptions } from '../src/commands/eval.js';
import * as models from '../src/commands/models.js';
import { GenerateOptions, SweepOptions } from '../src/commands/noise.js';
import { ReportOptionsSchema } from '../src/commands/report.js';
import { SetupOptionsSchema } from '../src/commands/setup.js';
import * as sft from '../src/commands/sft.js';
import { optionsFrom, yargsOption } from '../src/schema-options.js';
import type { Io } from '../src/io.js';

describe('optionsFrom derives each yargs option from its schema field', () => {
  const Schema = z.object({
    count: z.number().int().positive().default(3).describe('How many').meta({ alias: 'n' }),
    name: z.string().min(1).describe('A name'),
    kind: z.enum(['a', 'b']).default('a').describe('Which kind'),
    flag: z.boolean().optional(),
    items: commaList('item', z.string()).optional().describe('Items, comma-separated'),
    seed: z.preprocess((v) => v, z.number().int()).optional(),
    folder: z.string().describe('A folder').meta({ positional: true }),
  });
  const field = (k: keyof typeof Schema.shape) => Schema.shape[k] as z.ZodType;

  test('type, description, required and alias; defaults and choices left to the schema', () => {
    expect(yargsOption(field('count'))).toEqual({
      positional: false,
      options: { type: 'number', alias: 'n', describe: 'How many' },
    });
    expect(yargsOption(field('name')).options).toEqual({
      type: 'string',
      describe: 'A name',
      demandOption: true,
    });
    expect(yargsOption(field('kind')).options).toEqual({ type: 'string', describe: 'Which kind' });
    expect(yargsOption(field('flag')).options).toEqual({ type: 'boolean', describe: undefined });
    // a comma list is text, a preprocessed number a number
    expect(yargsOption(field('items')).options.type).toBe('string');
    expect(yargsOption(field('seed')).options.type).toBe('number');
    expect(yargsOption(field('folder'))).toEqual({
      positional: true,
      options: { type: 'string', describe: 'A folder' },
    });
  });

  test('help style: yargs gets the defaults and the choices (with or without the type)', () => {
    expect(yargsOption(field('count'), { defaults: true }).options.default).toBe(3);
    expect(yargsOption(field('kind'), { defaults: true, choices: true }).options).toEqual({
      choices: ['a', 'b'],
      default: 'a',
      describe: 'Which kind',
    });
    expect(yargsOption(field('kind'), { choices: 'typed' }).options).toEqual({
      type: 'string',
      choices: ['a', 'b'],
      describe: 'Which kind',
    });
  });

  test('the options reach yargs: parsed, defaulted, checked and listed in --help', async () => {
    const cli = (args: string[]) =>
      optionsFrom(
        yargs(args).command('go <folder>', 'Go', (c) =>
          optionsFrom(c, Schema, { defaults: true, choices: true }),
        ),
        z.object({ verbose: z.boolean().default(false) }),
        { defaults: true },
      )
        .strict()
        .exitProcess(false)
        .fail((msg) => {
          throw new Error(msg);
        });
    const argv = await cli(['go', 'f', '--name', 'x', '-n', '5', '--items', 'p,q']).parseAsync();
    expect(argv).toMatchObject({ folder: 'f', name: 'x', count: 5, kind: 'a', items: 'p,q' });
    expect(argv.verbose).toBe(false);
    // yargs' own checks fail before any handler (synchronously: no rejected promise)
    const failure = async (args: string[]) => {
      try {
        await cli(args).parseAsync();
      } catch (e) {
        return (e as Error).message;
      }
      return 'no failure';
    };
    expect(await failure(['go', 'f'])).toBe('Missing required argument: name');
    expect(await failure(['go', 'f', '--name', 'x', '--kind', 'c'])).toBe(
      'Invalid values:\n  Argument: kind, Given: "c", Choices: "a", "b"',
    );
    let help = '';
    await cli([]).parseAsync(['go', '--help'], {}, (_e, _a, out) => {
      help = out;
    });
    expect(help).toContain('folder  A folder');
    expect(help).toMatch(/-n, --count +How many +\[number\] \[default: 3\]/);
    expect(help).toMatch(/--kind +Which kind +\[choices: "a", "b"\] \[default: "a"\]/);
    expect(help).toMatch(/--name +A name +\[string\] \[required\]/);
  });
});

/** The yargs internals that list a builder's subcommands. */
interface Internals {
  getInternalMethods(): {
    getCommandInstance(): {
      getCommandHandlers(): Record<string, { builder?: unknown; original: string }>;
    };
  };
}

/** A bare yargs whose option() and positional() count the declarations a builder makes. */
function countingProbe(): { y: Argv; declared: Map<string, number> } {
  const y = yargs([]);
  const declared = new Map<string, number>();
  const count = (key: string) => declared.set(key, (declared.get(key) ?? 0) + 1);
  const option = y.option.bind(y);
  Object.assign(y, {
    option: (key: string, opt: object) => (count(key), option(key, opt)),
    // positional() outside a parse is refused by yargs: counted only
    positional: (key: string) => (count(key), y),
  });
  return { y, declared };
}

/** Every command line's options as its builders declare them: 'models export' -> counts. */
function declaredOptions(): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const walk = (prefix: string, y: Argv) => {
    const handlers = (y as unknown as Internals)
      .getInternalMethods()
      .getCommandInstance()
      .getCommandHandlers();
    for (const [name, h] of Object.entries(handlers)) {
      if (name === '$0' || typeof h.builder !== 'function') continue;
      const probe = countingProbe();
      (h.builder as (y: Argv) => unknown)(probe.y);
      const line = `${prefix} ${name}`.trim();
      out.set(line, probe.declared);
      walk(line, probe.y);
    }
  };
  const io: Io = { out: () => {}, err: () => {}, interactive: false };
  walk('', buildCli([], io));
  return out;
}

describe('every command declares each option once, from its schema', () => {
  const schemas: Record<string, z.ZodObject> = {
    data: z.object({}),
    'data pull': data.PullSchema,
    'data import': data.ImportSchema,
    noise: z.object({}),
    'noise generate': GenerateOptions,
    'noise sweep': SweepOptions,
    models: z.object({}),
    'models export': models.ExportSchema,
    'models verify': models.VerifySchema,
    'models pull': models.PullSchema,
    'models init': models.InitSchema,
    run: RunOptionsSchema,
    eval: z.object({}),
    'eval extract': extractOptions(),
    'eval rescore': rescoreOptions(),
    report: ReportOptionsSchema,
    sft: z.object({}),
    'sft verify': sft.VerifySchema,
    'sft train': sft.TrainSchema,
    doctor: DoctorOptionsSchema,
    setup: SetupOptionsSchema,
  };
  const declared = declaredOptions();

  test('the command lines are those with a schema', () => {
    expect([...declared.keys()].sort()).toEqual(Object.keys(schemas).sort());
  });

  test.each(Object.keys(schemas))(
    'exp %s: its options are its schema fields, once each',
    (line) => {
      const flags = Object.keys(schemas[line].shape).map((k) => flagName(k).slice(2));
      expect(Object.fromEntries(declared.get(line) ?? [])).toEqual(
        Object.fromEntries(flags.map((f) => [f, 1])),
      );
    },
  );

  test('the global options come from their schema', () => {
    const io: Io = { out: () => {}, err: () => {}, interactive: false };
    const cli = buildCli([], io) as unknown as { getOptions(): { key: Record<string, unknown> } };
    const keys = Object.keys(cli.getOptions().key);
    expect(keys.filter((k) => k !== 'help' && k !== 'h')).toEqual(
      Object.keys(GlobalOptionsSchema.shape),
    );
  });

  test('no source file declares an option by hand (only schema-options.ts calls yargs)', () => {
    const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    const byHand = files.filter(
      (f) =>
        f !== 'schema-options.ts' &&
        /\.(option|options|positional)\(/.test(readFileSync(path.join(src, f), 'utf8')),
    );
    expect(byHand).toEqual([]);
  });
});
