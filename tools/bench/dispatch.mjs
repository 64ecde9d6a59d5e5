// `pnpm bench <name> [options]`: runs the named benchmark script in the package that owns it
// (generate: @exp/models, packages/models/bench; eval and full-run: @exp/eval, packages/eval/bench;
// attention: @exp/attention, packages/attention/bench; train: @exp/train, packages/train/bench).
//
// tools/bench is the one bench harness, @exp/bench-kit (private, TypeScript sources run by tsx,
// not built): what benches share lives in src/ (machine probe and line, tables, paths and the
// bench model cache, bench model presets, in-memory models, the generation measurement). Each
// package's bench imports `@exp/bench-kit/<file>` (a devDependency) and public @exp/* APIs, never
// another package's bench or src. The harness itself takes @exp/models from its source
// (src/models-src.ts says why), so @exp/models' bench can use it without a dependency cycle.
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
