import { builtinNoises } from './builtin.js';
import type { NoiseDefinition } from './definition.js';
import { NoiseError } from './errors.js';

const NAME = /^[a-z][a-z0-9-]*$/u;

/** The built-in mixed type: not registered, built per run from `--types-mix`. */
export const MIX = 'mix';

/** Registered noise types by name, in registration order; the built-ins come first. */
const registry = new Map<string, NoiseDefinition>(builtinNoises().map((d) => [d.name, d]));

/**
 * Adds a noise type, so that `--types <name>` and generateNoisyDatasets can use it. Names are
 * lower-case (`[a-z][a-z0-9-]*`) because they become file names. Registering a taken name throws
 * unless `replace` is set.
 */
export function registerNoise(def: NoiseDefinition, opts: { replace?: boolean } = {}): void {
  if (typeof def?.name !== 'string' || !NAME.test(def.name)) {
    throw new NoiseError(
      `registerNoise: name: expected lower-case letters, digits or '-', got ${JSON.stringify(def?.name)}`,
    );
  }
  if (typeof def.sentence !== 'function' && typeof def.inject !== 'function') {
    throw new NoiseError(
      `registerNoise: '${def.name}': expected a sentence(problem, rng) or inject(problem, rng) function`,
    );
  }
  if (/-k\d+(?:-|$)/u.test(def.name)) {
    throw new NoiseError(
      `registerNoise: '${def.name}': a name may not contain -k<digits> (it would read as a dose: inf-k2-late)`,
    );
  }
  if (def.name === MIX) {
    throw new NoiseError(`registerNoise: '${MIX}' is reserved for mixed noise (--types-mix)`);
  }
  if (registry.has(def.name) && !opts.replace) {
    throw new NoiseError(
      `registerNoise: '${def.name}' is already registered (pass { replace: true } to replace it)`,
    );
  }
  registry.set(def.name, def);
}

/** Removes a registered noise type; returns whether it was there. */
export function unregisterNoise(name: string): boolean {
  return registry.delete(name);
}

/** The noise type registered as `name`; throws a NoiseError listing the known names. */
export function getNoise(name: string): NoiseDefinition {
  const def = registry.get(name);
  if (!def) {
    throw new NoiseError(
      `unknown noise type '${name}' (known: ${[...registry.keys()].join(', ')})`,
    );
  }
  return def;
}

/** All registered noise types, built-ins first, then in registration order. */
export function listNoise(): NoiseDefinition[] {
  return [...registry.values()];
}
