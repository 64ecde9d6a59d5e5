import { hideBin } from 'yargs/helpers';
import { runCli } from './cli.js';
import { installSignalHandlers } from './signals.js';

// Before anything runs: a signal then restores the terminal and exits 130 / 143 in every command.
installSignalHandlers();

// `exp ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await runCli(hideBin(process.argv));
