// A command's flags declared from the zod schema of its options, so that each option is declared
// once: its --kebab-case flag from the key, its yargs type from the field's type, its help text
// from the field's description, required when the field accepts no undefined, its default and
// choices from the field's .default() and z.enum() (as the command's help style says), and what
// zod has no word for (a positional argument, an alias) from the field's .meta().
import type { Argv, Options, PositionalOptions } from 'yargs';
import { z } from 'zod';
import { flagName } from '@exp/run';

// The yargs settings a field carries in .meta() (zod's global registry), typed so that a
// misspelt one does not compile.
declare module 'zod/v4/core' {
  interface GlobalMeta {
    /** A positional argument of the command (`report <run-dir>`), not a --flag. */
    positional?: boolean;
    /** Another name for the flag (`-n` for --samples: 'n'). */
    alias?: string;
  }
}

/**
 * How a command's --help presents its options; each command keeps the help it has always had.
 * Either way the schema validates every value.
 */
export interface HelpStyle {
  /**
   * true: yargs gets each .default() and --help shows it ([default: 500]). false: the schema
   * fills defaults in after parsing, so yargs' argv holds only the options typed, and the
   * descriptions say the defaults.
   */
  defaults?: boolean;
  /**
   * true: yargs gets each z.enum()'s values as choices, checks them first and --help shows
   * [choices: ...] in place of the type; 'typed': [string] as well. false: the enum is a string
   * option the schema checks.
   */
  choices?: boolean | 'typed';
}

/** The field without the wrappers that do not change its type (optional, default, pipes). */
function core(field: z.ZodType): z.ZodType {
  let t: z.ZodType = field;
  for (;;) {
    if (t instanceof z.ZodOptional || t instanceof z.ZodDefault) t = t.unwrap() as z.ZodType;
    // z.preprocess(fn, T) takes what T takes; x.transform(fn) and x.pipe(y) take what x takes
    else if (t instanceof z.ZodPipe)
      t = (t.in instanceof z.ZodTransform ? t.out : t.in) as z.ZodType;
    else return t;
  }
}

function yargsType(t: z.ZodType): 'boolean' | 'number' | 'string' {
  if (t instanceof z.ZodBoolean) return 'boolean';
  if (t instanceof z.ZodNumber) return 'number';
  return 'string'; // strings, enums and lists (comma-separated text)
}

/** The field's .default() value, if its outermost wrapper is one. */
function defaultOf(field: z.ZodType): unknown {
  let t: z.ZodType = field;
  while (t instanceof z.ZodOptional) t = t.unwrap() as z.ZodType;
  return t instanceof z.ZodDefault ? (t.def.defaultValue as unknown) : undefined;
}

/** The yargs declaration of one schema field: the option, or the positional argument. */
export function yargsOption(
  field: z.ZodType,
  style: HelpStyle = {},
): { positional: boolean; options: Options & PositionalOptions } {
  const meta = z.globalRegistry.get(field) ?? {};
  const t = core(field);
  const choices = t instanceof z.ZodEnum && style.choices ? t.options : undefined;
  const options: Options & PositionalOptions = {
    ...(choices && style.choices !== 'typed' ? {} : { type: yargsType(t) }),
    ...(meta.alias ? { alias: meta.alias } : {}),
    ...(choices ? { choices } : {}),
    describe: field.description,
  };
  if (meta.positional) return { positional: true, options }; // required by its <name> in the command
  const def = style.defaults ? defaultOf(field) : undefined;
  if (def !== undefined) options.default = def;
  if (!field.safeParse(undefined).success) options.demandOption = true;
  return { positional: false, options };
}

/** Adds one yargs option (or positional argument) per field of `schema`, in the schema's order. */
export function optionsFrom<T>(y: Argv<T>, schema: z.ZodObject, style: HelpStyle = {}): Argv<T> {
  let out = y;
  for (const [key, field] of Object.entries(schema.shape)) {
    const name = flagName(key).slice(2);
    const { positional, options } = yargsOption(field as z.ZodType, style);
    out = positional ? out.positional(name, options) : out.option(name, options);
  }
  return out;
}

/** The schema's fields from yargs' argv (which also holds `_`, `$0` and the kebab-case spellings). */
export function optionValues(schema: z.ZodObject, argv: Record<string, unknown>) {
  return Object.fromEntries(Object.keys(schema.shape).map((k) => [k, argv[k]]));
}
