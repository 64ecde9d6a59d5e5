// Options and commands: wrong types, unknown and contradictory options, unknown commands.
import type { BadInputCase } from './case.js';

export const CORE_CASES: readonly BadInputCase[] = [
  {
    name: 'run --quick-test --mode full (contradictory options)',
    args: () => ['run', '--quick-test', '--mode', 'full'],
    code: 2,
    stderr: /^error: --quick-test and --mode full contradict each other/,
  },
];
