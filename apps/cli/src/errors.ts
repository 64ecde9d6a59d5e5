import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { flagName } from '@exp/run';
import { UsageError } from './io.js';

/** One line for the user: the message, or the stack too with --verbose. */
export function formatError(e: unknown, verbose: boolean): string {
  if (!(e instanceof Error)) return `error: ${String(e)}`;
  if (verbose && e.stack) return e.stack;
  if (e instanceof z.ZodError && e.issues.length) {
    const issue = e.issues[0];
    const where = issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    return `error: ${where}${issue.message}`;
  }
  const message = systemErrorMessage(e) ?? e.message.split('\n')[0];
  return `error: ${message}`;
}

const SYSTEM_CODES = new Set([
  'EISDIR',
  'ENOTDIR',
  'EEXIST',
  'EACCES',
  'EPERM',
  'ENOENT',
  'ENOSPC',
  'EROFS',
  'ENOTEMPTY',
]);

/**
 * A Node system error still carrying its raw errno text ("EISDIR: illegal operation on a
 * directory, read") as one line naming the path and what was expected; an error whose message
 * was already written for the user (a code, but no errno text) keeps its message (undefined).
 */
export function systemErrorMessage(e: Error): string | undefined {
  const cause = e.cause instanceof Error ? (e.cause as NodeJS.ErrnoException) : undefined;
  const own = e as NodeJS.ErrnoException;
  // Node's text: "ENOTDIR: not a directory, open '/x/y'" (" -> '/dest'" for rename and copy),
  // possibly after a prefix a caller added ("cannot read /x/y: ENOTDIR: ...").
  const raw = e.message.match(/\b(E[A-Z]+): [^,\n]*(?:, (\w+) '([^']*)'(?: -> '([^']*)')?)?/);
  const code = own.code ?? cause?.code ?? raw?.[1];
  if (!code || !SYSTEM_CODES.has(code) || !raw || raw[1] !== code) return undefined;
  const source = own.code ? own : cause?.code ? cause : undefined;
  const prefix = e.message.match(new RegExp(`(\\S*[/\\\\]\\S*): ${code}: `))?.[1];
  const file = source?.path ?? raw[3] ?? prefix;
  const dest = (source as { dest?: string } | undefined)?.dest ?? raw[4];
  const syscall = source?.syscall ?? raw[2] ?? '';
  const at = (p: string | undefined, what: string) => (p ? `${p}: ${what}` : what);
  const writing = /^(mkdir|write|rename|unlink|rmdir|rm|copyfile|symlink|link|chmod|utime)/.test(
    syscall,
  );
  switch (code) {
    case 'EISDIR':
      return file
        ? `${file}: is a folder, expected a file`
        : 'a folder was given where a file was expected';
    case 'ENOTDIR': {
      const blocker = (dest && fileOnTheWay(dest)) || (file && fileOnTheWay(file)) || undefined;
      return blocker
        ? `${blocker}: exists and is a file, expected a folder`
        : at(file, 'is not a folder, expected a folder');
    }
    case 'EEXIST': {
      const target = dest ?? file;
      if (target && isFile(target)) return `${target}: exists and is a file, expected a folder`;
      return at(target, 'already exists');
    }
    case 'ENOTEMPTY':
      return at(dest ?? file, 'is a folder that is not empty');
    case 'EACCES':
    case 'EPERM':
      return at(
        file,
        !writing && file !== undefined && existsSync(file) && !readable(file)
          ? 'permission denied (cannot read it)'
          : 'permission denied (cannot write there)',
      );
    case 'ENOENT':
      if (file && !existsSync(path.dirname(path.resolve(file)))) {
        return `${file}: its folder ${path.dirname(path.resolve(file))} does not exist`;
      }
      return at(
        file,
        writing ? 'not found (cannot write there)' : 'not found (no such file or folder)',
      );
    case 'ENOSPC':
      return file
        ? `${file}: no space left on the disk (cannot write there)`
        : 'no space left on the disk';
    case 'EROFS':
      return at(file, 'read-only file system (cannot write there)');
  }
  return undefined;
}

function readable(p: string): boolean {
  try {
    accessSync(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The nearest ancestor of p (or p itself) that exists and is a file: why p is no folder. */
function fileOnTheWay(p: string): string | undefined {
  for (let q = path.resolve(p); ; q = path.dirname(q)) {
    if (isFile(q)) return q;
    if (path.dirname(q) === q) return undefined;
  }
}

// --- option values -----------------------------------------------------------------------------

/** The command line as typed, for quoting the value a user gave (runCli sets it). */
let typedArgs: readonly string[] = [];

export function setTypedArgs(args: readonly string[]): void {
  typedArgs = args;
}

/** What the user typed after --name (the last occurrence, as yargs keeps the last one). */
export function typedValue(key: string): string | undefined {
  const names = new Set([flagName(key), `--${key}`]);
  let value: string | undefined;
  for (let i = 0; i < typedArgs.length; i++) {
    const token = typedArgs[i];
    const eq = token.indexOf('=');
    if (eq > 0 && names.has(token.slice(0, eq))) value = token.slice(eq + 1);
    else if (names.has(token)) {
      const next = typedArgs[i + 1];
      value = next !== undefined && (!next.startsWith('-') || /^-\d/.test(next)) ? next : '';
    }
  }
  return value;
}

const NUMBER_TEXT = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A value as it reads in a message: numbers bare, text quoted, nothing as "nothing". */
export function showValue(v: unknown): string {
  if (v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v))) return 'nothing';
  if (typeof v === 'string') return NUMBER_TEXT.test(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return v.map(showValue).join(', ');
  return String(v);
}

/** The schema of one field of an object schema, without optional/default/nullable wrappers. */
function fieldSchema(schema: z.ZodType, key: string): z.ZodType | undefined {
  let s: unknown = schema instanceof z.ZodObject ? schema.shape[key] : undefined;
  for (let i = 0; i < 8 && s; i++) {
    const def = (s as { _zod?: { def?: { innerType?: unknown; in?: unknown } } })._zod?.def;
    const inner = def?.innerType ?? def?.in;
    if (!inner) break;
    s = inner;
  }
  return s as z.ZodType | undefined;
}

const DEFAULT_MESSAGE =
  /^(Invalid input|Invalid option|Too small|Too big|Invalid string|Invalid number|Invalid element|Invalid key|Invalid value|Unrecognized key)/;

/** What the option expected, in words ("a positive integer", "one of fp32, fp16"). */
function expectation(issue: z.core.$ZodIssue, integer: boolean): string | undefined {
  const number = integer ? 'an integer' : 'a number';
  switch (issue.code) {
    case 'invalid_type': {
      const names: Record<string, string> = {
        number: 'a number',
        int: 'an integer',
        string: 'a value',
        boolean: 'true or false (or no value)',
        array: 'a list',
      };
      return names[issue.expected] ?? `a ${issue.expected}`;
    }
    case 'invalid_value':
      return `one of ${issue.values.map(String).join(', ')}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string')
        return min <= 1 ? 'a non-empty value' : `at least ${min} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at least ${min} items`;
      if (min === 0 && !issue.inclusive)
        return integer ? 'a positive integer' : 'a positive number';
      if (min === 0) return integer ? 'a non-negative integer' : 'a number >= 0';
      return `${number} ${issue.inclusive ? '>=' : '>'} ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `at most ${max} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at most ${max} items`;
      return `${number} ${issue.inclusive ? '<=' : '<'} ${max}`;
    }
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue
        ? `a value matching ${String(issue.pattern)}`
        : `a valid ${issue.format}`;
  }
  return undefined;
}

/** One option problem as `--name: expected <what>, got <value>` (custom messages kept). */
export function optionMessage(schema: z.ZodType, issue: z.core.$ZodIssue): string {
  if (!issue.path.length) return `options: ${issue.message}`;
  const key = String(issue.path[0]);
  const name = flagName(key);
  const input = (issue as { input?: unknown }).input;
  const field = fieldSchema(schema, key);
  const integer = field instanceof z.ZodNumber && field.isInt === true;
  // An option given twice arrives as a list; say so rather than "expected a number".
  if (issue.code === 'invalid_type' && issue.expected !== 'array' && Array.isArray(input)) {
    return `${name}: expected one value, got ${input.length} (${showValue(input)}); pass it once`;
  }
  // A list item (path [option, index]) is named by its own value; the whole option by what was typed.
  const typed = issue.path.length === 1 ? typedValue(key) : undefined;
  const index = issue.path[1];
  const item =
    input === undefined && typeof index === 'number'
      ? typedValue(key)
          ?.split(',')
          .map((x) => x.trim())
          .filter(Boolean)[index]
      : undefined;
  const got = showValue(typed ?? item ?? input);
  const custom = !DEFAULT_MESSAGE.test(issue.message);
  if (custom) {
    const said = issue.message;
    return /^expected /.test(said) && !/, got /.test(said) && got !== 'nothing'
      ? `${name}: ${said}, got ${got}`
      : `${name}: ${said}`;
  }
  const what = expectation(issue, integer) ?? 'a valid value';
  return `${name}: expected ${what}, got ${got}`;
}

/** Validates parsed CLI options with zod; the first problem becomes a UsageError naming the option. */
export function parseOptions<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new UsageError(optionMessage(schema, parsed.error.issues[0]));
}

// --- yargs messages ----------------------------------------------------------------------------

/** Where yargs was when it failed: the commands matched so far and what they accept. */
export interface UsageContext {
  /** The command words matched so far: ["models", "export"]. */
  commands: string[];
  /** Their definitions: ["models <action>", "export"]. */
  fullCommands: string[];
  /** The subcommands the last matched command has (["pull", "import"] for data). */
  subcommands: string[];
  /** The command line as typed. */
  args: readonly string[];
}

const unquote = (s: string) => s.trim().replace(/^"(.*)"$/, '$1');

/** A yargs validation message (often several lines) as one line naming the culprit. */
export function usageMessage(msg: string, c: UsageContext): string {
  const command = ['exp', ...c.commands].join(' ');
  const help = `(see ${command} --help)`;
  const lines = msg.split('\n').map((l) => l.trim());
  const positionals = new Set(
    (c.fullCommands.at(-1) ?? '').match(/[<[][^>\]]+[>\]]/g)?.map((p) => p.slice(1, -1)) ?? [],
  );
  const dash = (name: string) => (positionals.has(name) ? `<${name}>` : flagName(name));
  let m: RegExpMatchArray | null;

  if (
    lines[0] === 'Invalid values:' &&
    (m = lines[1]?.match(/^Argument: (.*), Given: (.*), Choices: (.*)$/))
  ) {
    const choices = m[3].split(/,\s*/).map(unquote).join(', ');
    return `${dash(m[1])}: expected one of ${choices}, got ${showValue(JSON.parse(m[2]) as unknown)}`;
  }
  if ((m = lines[0].match(/^Missing required arguments?: (.*)$/))) {
    const names = m[1].split(', ').map(dash);
    const extra = lines.slice(1).filter(Boolean);
    const one = names.length === 1;
    return `${command}: missing required option${one ? '' : 's'} ${names.join(', ')}${extra.length ? ` (${extra.join('; ')})` : ` ${help}`}`;
  }
  if ((m = lines[0].match(/^Unknown arguments?: (.*)$/))) {
    const name = m[1].split(', ')[0];
    const typedAsOption = c.args.some(
      (a) => a.replace(/=.*$/, '').replace(/^-+/, '') === name && a.startsWith('-'),
    );
    if (typedAsOption)
      return `${name.length === 1 ? `-${name}` : flagName(name)}: unknown option ${help}`;
    if (c.subcommands.length) {
      return `${command}: unknown action '${name}' (actions: ${c.subcommands.join(', ')})`;
    }
    return `${command}: unexpected argument '${name}' ${help}`;
  }
  if ((m = lines[0].match(/^Not enough non-option arguments: got (\d+), need at least (\d+)$/))) {
    const wanted = (c.fullCommands.at(-1) ?? '').match(/<[^>]+>/g) ?? [];
    const missing = wanted.slice(Number(m[1]));
    if (c.subcommands.length) {
      return `${command}: name an action: ${c.subcommands.join(', ')} ${help}`;
    }
    return `${command}: missing ${missing.length ? missing.join(' ') : 'an argument'} ${help}`;
  }
  if ((m = lines[0].match(/^Too many non-option arguments: got (\d+), maximum of (\d+)$/))) {
    return `${command}: too many arguments (at most ${m[2]}) ${help}`;
  }
  if ((m = lines[0].match(/^(?:Missing argument values?|Not enough arguments following): (.*)$/))) {
    return `${dash(m[1].split(', ')[0])}: expected a value, got nothing`;
  }
  if ((m = lines[0].match(/^Arguments (.*) and (.*) are mutually exclusive$/))) {
    return `${dash(m[1])} and ${dash(m[2])} contradict each other; pass one`;
  }
  if (lines[0] === 'Missing dependent arguments:' && (m = lines[1]?.match(/^(.*) -> (.*)$/))) {
    return `${dash(m[1])} needs ${dash(m[2])}`;
  }
  if ((m = lines[0].match(/^Did you mean (.*)\?$/))) {
    return `${command}: unknown command; did you mean ${m[1]}? ${help}`;
  }
  return lines.filter(Boolean).join(' ');
}
