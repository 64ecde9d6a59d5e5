import { z } from 'zod';
import { formatIssue } from '@exp/data';
import { UsageError } from './io.js';

/** One line for the user: the message, or the stack too with --verbose. */
export function formatError(e: unknown, verbose: boolean): string {
  if (!(e instanceof Error)) return `error: ${String(e)}`;
  if (verbose && e.stack) return e.stack;
  const message = e.message.split('\n')[0];
  return `error: ${message}`;
}

/** Validates parsed CLI options with zod; the first problem becomes a UsageError naming the option. */
export function parseOptions<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = issue.path.length
    ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`
    : 'options';
  throw new UsageError(
    `${name}: ${formatIssue({ ...issue, path: issue.path.slice(1) }).replace(/^\(record\): /, '')}`,
  );
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
        .refine((a) => new Set(a).size === a.length, `a ${what} is listed twice`),
    );
}
