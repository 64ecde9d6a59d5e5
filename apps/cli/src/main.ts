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

// Leave through process.exit rather than by letting the event loop drain: draining closes the
// signal watchers (SIGINT / SIGTERM go back to their default action) and then tears down the
// native addons, a window of tens of ms in which a signal would kill a finished command.
// stdout and stderr are synchronous on Linux, so nothing written is lost.
process.exit(await runCli(hideBin(process.argv)));
