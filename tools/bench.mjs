// `pnpm bench <name> [options]`: runs the named benchmark script in the package that owns it
// (generate: @exp/models, packages/models/bench; eval: @exp/eval, packages/eval/bench;
// full-run: @exp/eval, packages/eval/bench/full-run.ts; attention: @exp/attention, packages/attention/bench; train: @exp/train, packages/train/bench).
import { spawnSync } from 'node:child_process';

const BENCHES = {
  generate: '@exp/models',
  eval: '@exp/eval',
  'full-run': '@exp/eval',
  attention: '@exp/attention',
  train: '@exp/train',
};
const [name = 'generate', ...rest] = process.argv.slice(2);
const pkg = BENCHES[name];
if (!pkg) {
  console.error(`unknown bench '${name}'; available: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const r = spawnSync('pnpm', ['--silent', '-F', pkg, 'bench', name, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
