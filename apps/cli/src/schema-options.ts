// A command's flags declared from the zod schema of its options, so that each option is declared
// once: its --kebab-case flag from the key, its yargs type from the field's type, its help text
// from the field's description.
import type { Argv } from 'yargs';
import { z } from 'zod';
import { flagName } from '@exp/run';

function yargsType(field: z.ZodType): 'boolean' | 'number' | 'string' {
  let t: z.ZodType = field;
  while (t instanceof z.ZodOptional || t instanceof z.ZodDefault) t = t.unwrap() as z.ZodType;
  if (t instanceof z.ZodBoolean) return 'boolean';
  if (t instanceof z.ZodNumber) return 'number';
  return 'string'; // strings, enums and comma lists (a string piped into a list)
}

/** Adds one yargs option per field of `schema`, in the schema's order. */
export function optionsFrom<T>(y: Argv<T>, schema: z.ZodObject): Argv<T> {
  let out = y;
  for (const [key, field] of Object.entries(schema.shape)) {
    const f = field as z.ZodType;
    out = out.option(flagName(key).slice(2), { type: yargsType(f), describe: f.description });
  }
  return out;
}
