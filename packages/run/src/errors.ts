// What the run's options and folder checks throw, and the option-name helpers their messages use.
import { z } from 'zod';
import { ExpError } from '@exp/data';

/** An error whose message is meant for the user as it is: the CLI prints it as one line, exit 2. */
export class UsageError extends ExpError {
  override get exitCode(): number {
    return 2;
  }

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A run folder that cannot be read: one line naming the file and field. */
export class RunReadError extends ExpError {
  override name = 'RunReadError';
}

/** The option's flag as the user writes it: maxSamples -> --max-samples. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;
}

/** A comma-separated list option ("clean,inf" -> ["clean", "inf"]), each item checked, no repeats. */
export function commaList(what: string, item: z.ZodString) {
  return z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(item)
        .min(1, `expected at least one ${what}`)
        .superRefine((a, ctx) => {
          const twice = a.find((x, i) => a.indexOf(x) !== i);
          if (twice !== undefined) {
            ctx.addIssue({ code: 'custom', message: `${JSON.stringify(twice)} is listed twice` });
          }
        }),
    );
}
