// Child process of the kill -9 test: appends samples 0..count-1 (continuing after what the log
// already holds) as fast as it can until the parent kills it. Completions are large and of
// varying size so that a SIGKILL can land inside a write (Linux stops a large write between
// pages when a fatal signal is pending) and not only between appends.
import { SampleLog } from '../../src/samples/log.js';
import { sample } from './fixture.js';

const [file, countText] = process.argv.slice(2);
const count = Number(countText);
const log = SampleLog.open(file);
for (let i = log.done.size; i < count; i++) {
  const size = 1000 + ((i * 7919) % 97) * 4096; // 1 kB .. 400 kB
  log.append(sample(i, { completion: 'x'.repeat(size) + ' The answer is 42.' }));
  process.stdout.write(`${i}\n`); // tells the parent a line is committed
}
log.close();
