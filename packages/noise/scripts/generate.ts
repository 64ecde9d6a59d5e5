// `pnpm -F @exp/noise generate [options]`: the noisy test sets from this package's own API, with
// the options, output lines, messages and exit codes of `exp noise generate` (which apps/cli
// implements on the same API; a package never runs the app above it). No progress bars: the
// CLI draws those. node:util's parseArgs reads the flags (Node's own parser, no dependency).
import { parseArgs } from 'node:util';
import { resolveUserPath } from '@exp/data';
import {
  NOISE_POSITIONS,
  NoiseError,
  generateNoisyDatasets,
  parseNoiseGenerateOptions,
} from '../src/index.js';

const CHOICES: Record<string, readonly string[]> = {
  slots: ['shared', 'independent'],
  position: NOISE_POSITIONS,
};
const STRINGS = ['input', 'name', 'out', 'seed', 'types', 'types-mix', 'slots', 'templates'];
const FLAGS = [...STRINGS, 'sentences', 'position'];

const HELP = `exp noise generate

Write data/gsm8k_{inf,rcs,sd}_test.jsonl with the exact span of every inserted sentence
(this package's script; \`pnpm exp noise generate\` takes the same options)

Options:
  --input F        GSM8K-format or exp Problem JSONL (default: the GSM8K test split)
  --name N         Dataset name of the outputs, <name>_<type>.jsonl (default: from the input)
  --out D          Output folder (default: data/)
  --seed N         Seed for every random choice (default: 42)
  --types L        Noise types, comma-separated, mix included (default: inf,rcs,sd)
  --types-mix L    Types the mix type draws each sentence from (default: inf,rcs,sd)
  --slots S        shared (default) or independent
  --templates F    Template bank JSON (the original's format reproduces its protocol)
  --sentences K    Dose K: distinct noise sentences per question (default: 1)
  --position P     ${NOISE_POSITIONS.join(', ')} (default: random)
  --verbose        Show stack traces on errors
  -h, --help       Show help`;

/** Exit code 2: a bad option, one line as the CLI prints it. */
class UsageError extends Error {}

const NUMBER_TEXT = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** A typed value as the CLI's messages show it: numbers bare, text quoted. */
const show = (v: string) => (NUMBER_TEXT.test(v) ? v : JSON.stringify(v));

function options(args: string[]) {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(FLAGS.map((f) => [f, { type: 'string' as const }])),
        typesMix: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    // parseArgs' codes, in the CLI's words
    const { code, message } = e as { code?: string; message: string };
    const flag = /'(-[^' ]*)/.exec(message)?.[1];
    if (flag && code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`${flag}: unknown option (see exp noise generate --help)`);
    }
    if (flag && code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(`${flag}: expected a value, got nothing`);
    }
    const positional = /'([^']*)'/.exec(message)?.[1];
    if (positional !== undefined && code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(
        `exp noise generate: unexpected argument '${positional}' (see exp noise generate --help)`,
      );
    }
    throw new UsageError(message);
  }
  if (values.help) return null;
  for (const [key, choices] of Object.entries(CHOICES)) {
    const v = values[key];
    if (typeof v === 'string' && !choices.includes(v)) {
      throw new UsageError(`--${key}: expected one of ${choices.join(', ')}, got ${show(v)}`);
    }
  }
  const str = (k: string) => (typeof values[k] === 'string' ? values[k] : undefined);
  // yargs' number options: Number() of the text (NaN where it is none), checked by the schema.
  const num = (k: string) => (str(k) === undefined ? undefined : Number(str(k)));
  const file = (k: string) => (str(k) === undefined ? undefined : resolveUserPath(str(k)!));
  const raw = {
    input: file('input'),
    name: str('name'),
    out: file('out'),
    seed: num('seed'),
    types: str('types'),
    typesMix: str('types-mix') ?? str('typesMix'),
    slots: str('slots'),
    templates: file('templates'),
    sentences: num('sentences'),
    position: str('position'),
  };
  try {
    return parseNoiseGenerateOptions(raw);
  } catch (e) {
    if (!(e instanceof NoiseError)) throw e;
    // `--seed: expected an integer` gets what was typed, as the CLI says it.
    const m = /^--([a-z][a-z0-9-]*): expected /.exec(e.message);
    const typed = m ? str(m[1]!) : undefined;
    throw new UsageError(
      typed === undefined || /, got /.test(e.message)
        ? e.message
        : `${e.message}, got ${show(typed)}`,
    );
  }
}

const args = process.argv.slice(2);
try {
  const parsed = options(args);
  const result = parsed ? await generateNoisyDatasets(parsed) : { files: [] };
  if (!parsed) process.stdout.write(`${HELP}\n`);
  for (const f of result.files) {
    process.stdout.write(`${f.dataset} ${f.path} ${f.records} records sha256 ${f.sha256}\n`);
  }
} catch (e) {
  const err = e as Error;
  process.stderr.write(
    (args.includes('--verbose') && err.stack ? err.stack : `error: ${err.message.split('\n')[0]}`) +
      '\n',
  );
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
