// One decode measurement in its own process, so that its peak RSS is its own: prints one JSON
// line { measurement, maxRssBytes } on stdout. Spawned by decode-bench.ts.
import { parseArgs } from 'node:util';
import { benchGenerate } from '@exp/bench-kit/generate-bench';
import { prepareBenchModel } from '@exp/bench-kit/models';
import { loadModelConfig } from '@exp/models';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'random-375m' },
    batch: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    prompt: { type: 'string', default: '64' },
    new: { type: 'string', default: '128' },
    repeats: { type: 'string', default: '1' },
  },
});
const log = (s: string) => process.stderr.write(`${s}\n`);
const model = await prepareBenchModel(values.model as 'random-375m', log);
const [measurement] = await benchGenerate(
  model,
  loadModelConfig(model.dir).vocabSize,
  {
    batches: [Number(values.batch)],
    promptLength: Number(values.prompt),
    newTokens: Number(values.new),
    threads: Number(values.threads),
    repeats: Number(values.repeats),
    runners: ['external-kv'],
  },
  log,
);
// maxRSS is in KiB
console.log(JSON.stringify({ measurement, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
