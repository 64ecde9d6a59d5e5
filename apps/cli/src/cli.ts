import yargs, { type Argv } from 'yargs';
import { formatError } from './errors.js';
import { InterruptedError, processIo, UsageError, type Io } from './io.js';
import { dataCommand } from './commands/data.js';
import { noiseCommand } from './commands/noise.js';
import { doctorCommand } from './commands/doctor.js';
import { runCommand } from './commands/run.js';
import { evalCommand } from './commands/eval.js';
import { modelsCommand } from './commands/models.js';
import { setupCommand } from './commands/setup.js';
import { reportCommand } from './commands/report.js';
import { sftCommand } from './commands/sft.js';

export type CommandFactory = (io: Io) => (y: Argv) => Argv;

/** The yargs program: every command has --help, unknown options and commands are rejected. */
export function buildCli(args: string[], io: Io): Argv {
  // Each command adds its own options; the chain is typed loosely on purpose.

  let y: Argv = yargs(args)
    .scriptName('exp')
    .usage('$0 <command> [options]')
    .option('verbose', { type: 'boolean', default: false, describe: 'Show stack traces on errors' })
    .strict()
    .demandCommand(1, 'name a command (see exp --help)')
    .recommendCommands()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100));
  for (const command of [
    dataCommand,
    noiseCommand,
    modelsCommand,
    runCommand,
    evalCommand,
    reportCommand,
    sftCommand,
    doctorCommand,
    setupCommand,
  ]) {
    y = command(io)(y);
  }
  return y;
}

/** Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 bad usage. */
export async function runCli(args: string[], given: Io = processIo): Promise<number> {
  const io: Io = { ...given, args };
  const verbose = args.includes('--verbose');
  let helpText = '';
  try {
    await buildCli(args, io).parseAsync(args, {}, (_err, _argv, output) => {
      helpText = output;
    });
    if (helpText) io.out(helpText);
    return 0;
  } catch (e) {
    if (e instanceof InterruptedError) return e.exitCode; // the command already said what to do
    io.err(formatError(e, verbose));
    return e instanceof UsageError || (e as Error)?.name === 'YError' ? 2 : 1;
  }
}
