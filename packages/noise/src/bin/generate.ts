import { parseArgs } from 'node:util';
import { resolveUserPath } from '@exp/data';
import { generateNoisyDatasets, parseNoiseGenerateOptions, DEFAULT_NOISE_SEED } from '../index.js';
import { progressLine } from './progress.js';

const USAGE = `Usage: pnpm -F @exp/noise generate [options]

Writes <out>/gsm8k_{inf,rcs,sd}_test.jsonl: one noise sentence per question, with its exact span.
Another input writes <out>/<name>_<type>.jsonl; a dose or position other than the default adds
-k<K>-<position> to the type (gsm8k_inf-k2-late_test.jsonl).

Options:
  --input FILE       GSM8K-format or exp Problem JSONL (default: the GSM8K test split)
  --name NAME        dataset name of the outputs (default: from the input file)
  --out DIR          output folder (default: data/ of the project)
  --seed N           integer seed for every random choice (default: ${DEFAULT_NOISE_SEED})
  --types LIST       noise types, comma-separated, mix included (default: inf,rcs,sd)
  --sentences K      distinct noise sentences per question (default: 1)
  --position P       random|early|middle|late|before-question (default: random)
  --slots S          shared (one random slot per problem for all types) | independent
  --types-mix LIST   types the mix type draws from (default: inf,rcs,sd)
  --templates FILE   template bank JSON in the original's format (reproduces its protocol)
  --verbose         print stack traces on errors
  -h, --help        show this help`;

/** A problem with the command line itself: exit code 2. */
class UsageError extends Error {}

/** One line for a node:util parseArgs error. */
function argError(e: Error & { code?: string }): UsageError {
  const quoted = /'([^']+)'/u.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option '${quoted}' (see --help)`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(`option ${quoted.split(' ')[0]} needs a value`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument '${quoted}' (see --help)`);
    default:
      return new UsageError(e.message.split('\n')[0]);
  }
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        input: { type: 'string' },
        name: { type: 'string' },
        out: { type: 'string' },
        sentences: { type: 'string' },
        position: { type: 'string' },
        slots: { type: 'string' },
        'types-mix': { type: 'string' },
        seed: { type: 'string' },
        types: { type: 'string' },
        templates: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    throw argError(e as Error);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const resolve = (p?: string): string | undefined =>
    p === undefined ? undefined : resolveUserPath(p);
  let options;
  try {
    options = parseNoiseGenerateOptions({
      input: resolve(values.input),
      name: values.name,
      out: resolve(values.out),
      sentences: values.sentences,
      position: values.position,
      slots: values.slots,
      typesMix: values['types-mix'],
      seed: values.seed,
      types: values.types,
      templates: resolve(values.templates),
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const progress = progressLine('noise');
  try {
    const result = await generateNoisyDatasets({ ...options, onProgress: progress.update });
    progress.stop();
    for (const f of result.files) {
      process.stdout.write(`${f.dataset} ${f.path} ${f.records} records sha256 ${f.sha256}\n`);
    }
  } finally {
    progress.stop();
  }
  return 0;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    const verbose = argv.includes('--verbose');
    process.stderr.write(
      `generate: ${verbose && err.stack ? err.stack : err.message.split('\n')[0]}\n`,
    );
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
