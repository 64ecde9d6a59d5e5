import { readFileSync } from 'node:fs';
import { ExpError } from '@exp/data';
import yargs, { type Argv } from 'yargs';
import { z } from 'zod';
import { formatError, setTypedArgs, usageMessage } from './errors.js';
import { InterruptedError, processIo, UsageError, type Io } from './io.js';
import { didYouMean } from '@exp/run';
import { optionsFrom } from './schema-options.js';
import { dataCommand } from './commands/data.js';
import { noiseCommand } from './commands/noise.js';
import { doctorCommand } from './commands/doctor.js';
import { runCommand } from './commands/run.js';
import { evalCommand } from './commands/eval.js';
import { modelsCommand } from './commands/models.js';
import { setupCommand } from './commands/setup.js';
import { reportCommand } from './commands/report.js';
import { sftCommand } from './commands/sft.js';

/** Options of every command (runCli reads --verbose from the line before yargs parses it). */
export const GlobalOptionsSchema = z.object({
  verbose: z.boolean().default(false).describe('Show stack traces on errors'),
});

export type CommandFactory = (io: Io) => (y: Argv) => Argv;

const COMMANDS: readonly CommandFactory[] = [
  dataCommand,
  noiseCommand,
  modelsCommand,
  runCommand,
  evalCommand,
  reportCommand,
  sftCommand,
  doctorCommand,
  setupCommand,
];

/** The parts of yargs' internals that say where a parse is (not in its public typings). */
interface YargsInternals {
  getInternalMethods(): {
    getContext(): { commands: string[]; fullCommands: string[] };
    getCommandInstance(): {
      getCommands(): string[];
      getCommandHandlers(): Record<string, { builder?: unknown }>;
    };
  };
}
const internals = (y: Argv) => (y as unknown as YargsInternals).getInternalMethods();

/** The CLI's version (apps/cli/package.json: ../package.json from both src/ and dist/). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The yargs program: every command has --help, unknown options and commands are rejected. */
export function buildCli(args: string[], io: Io): Argv {
  // Each command adds its own options; the chain is typed loosely on purpose.

  const root: Argv = yargs(args);
  let y: Argv = optionsFrom(root, GlobalOptionsSchema, { defaults: true })
    .scriptName('exp')
    .usage('$0 <command> [options]')
    .strict()
    .recommendCommands()
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      const { commands, fullCommands } = internals(root).getContext();
      const subcommands = internals(root).getCommandInstance().getCommands();
      throw new UsageError(
        usageMessage(msg, {
          commands: [...commands],
          fullCommands: [...fullCommands],
          subcommands,
          args,
        }),
      );
    })
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100));
  for (const command of COMMANDS) y = command(io)(y);
  const names = internals(root).getCommandInstance().getCommands();
  return y.demandCommand(1, `name a command: ${names.join(', ')} (see exp --help)`);
}

/** The command words at the start of the line (`exp data nosuch --help` -> data, nosuch). */
function commandWords(args: readonly string[]): string[] {
  const words: string[] = [];
  for (const a of args) {
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (words.length) break;
      continue;
    }
    words.push(a);
  }
  return words;
}

/** The subcommands a command's builder registers (none for commands without actions). */
function subcommandsOf(cli: Argv, command: string): string[] {
  const builder = internals(cli).getCommandInstance().getCommandHandlers()[command]?.builder;
  if (typeof builder !== 'function') return [];
  const probe = yargs([]);
  (builder as (y: Argv) => unknown)(probe);
  return internals(probe).getCommandInstance().getCommands();
}

/**
 * An unknown command or action, refused before yargs parses: with --help yargs would print the
 * parent's help and exit 0, as if the line were fine.
 */
function refuseUnknownCommand(cli: Argv, args: readonly string[]): void {
  const [first, second] = commandWords(args);
  if (first === undefined) return;
  const known = internals(cli).getCommandInstance().getCommands();
  if (!known.includes(first)) {
    throw new UsageError(
      `unknown command '${first}' (commands: ${known.join(', ')})${didYouMean(first, known)}`,
    );
  }
  if (second === undefined) return;
  const actions = subcommandsOf(cli, first);
  if (actions.length && !actions.includes(second)) {
    throw new UsageError(
      `exp ${first}: unknown action '${second}' (actions: ${actions.join(', ')})`,
    );
  }
}

/** Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 bad usage, 130 interrupted. */
export async function runCli(args: string[], given: Io = processIo): Promise<number> {
  const io: Io = { ...given, args };
  const verbose = args.includes('--verbose');
  setTypedArgs(args);
  let helpText = '';
  try {
    if (!commandWords(args).length && (args.includes('--version') || args.includes('-v'))) {
      io.out(`exp ${cliVersion()}`);
      return 0;
    }
    const cli = buildCli(args, io);
    refuseUnknownCommand(cli, args);
    await cli.parseAsync(args, {}, (_err, _argv, output) => {
      helpText = output;
    });
    if (helpText) io.out(helpText);
    return 0;
  } catch (e) {
    if (e instanceof InterruptedError) return e.exitCode; // the command already said what to do
    io.err(formatError(e, verbose));
    // exp's own errors carry their exit code (UsageError 2, the packages' errors 1); yargs' 2.
    if (e instanceof ExpError) return e.exitCode;
    return (e as Error)?.name === 'YError' ? 2 : 1;
  }
}
