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

/**
 * Resolves once everything written to `stream` so far has left the process: a pipe whose reader
 * is slower than us (`exp ... | (sleep 1; wc -l)`) queues writes in libuv, and process.exit drops
 * that queue. A write's callback runs after every earlier write, so an empty one marks the end.
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

// Leave through process.exit rather than by letting the event loop drain: draining closes the
// signal watchers (SIGINT / SIGTERM go back to their default action) and then tears down the
// native addons, a window of tens of ms in which a signal would kill a finished command. Only the
// output still queued for slow readers is waited for; the signal handlers stay installed.
const code = await runCli(hideBin(process.argv));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
