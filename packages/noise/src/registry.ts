import { builtinNoises } from './builtin.js';
import type { NoiseDefinition } from './definition.js';
import { NoiseError } from './errors.js';
import { LOWER_CASE_NAME, lowerCaseNameMessages, Registry } from '@exp/data';

/** The built-in mixed type: not registered, built per run from `--types-mix`. */
export const MIX = 'mix';

/**
 * Registered noise types by name, in registration order; the built-ins come first. Names are
 * lower-case (`[a-z][a-z0-9-]*`) because they become file names.
 */
const registry = new Registry<NoiseDefinition>({
  builtins: builtinNoises().map((d) => [d.name, d]),
  pattern: LOWER_CASE_NAME,
  error: NoiseError,
  messages: lowerCaseNameMessages('registerNoise', 'noise type'),
  check: (name, def) => {
    if (typeof def.sentence !== 'function' && typeof def.inject !== 'function') {
      throw new NoiseError(
        `registerNoise: '${name}': expected a sentence(problem, rng) or inject(problem, rng) function`,
      );
    }
    if (/-k\d+(?:-|$)/u.test(name)) {
      throw new NoiseError(
        `registerNoise: '${name}': a name may not contain -k<digits> (it would read as a dose: inf-k2-late)`,
      );
    }
    if (name === MIX) {
      throw new NoiseError(`registerNoise: '${MIX}' is reserved for mixed noise (--types-mix)`);
    }
  },
});

/**
 * Adds a noise type, so that `--types <name>` and generateNoisyDatasets can use it. Registering
 * a taken name throws unless `replace` is set.
 */
export function registerNoise(def: NoiseDefinition, opts: { replace?: boolean } = {}): void {
  registry.register(def?.name, def, opts);
}

/** Removes a registered noise type; returns whether it was there. */
export function unregisterNoise(name: string): boolean {
  return registry.unregister(name);
}

/** The noise type registered as `name`; throws a NoiseError listing the known names. */
export function getNoise(name: string): NoiseDefinition {
  return registry.get(name);
}

/** All registered noise types, built-ins first, then in registration order. */
export function listNoise(): NoiseDefinition[] {
  return registry.values();
}
