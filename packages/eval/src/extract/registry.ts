import { ExtractorError, type Extractor } from './extractor.js';
import { lmEvalFlexibleExtractor, lmEvalStrictExtractor } from './lm-eval.js';
import { seedExtractor } from './seed.js';
import { strictExtractor } from './strict.js';

// Names become the `extractor` column of results and CLI arguments: keep them plain.
const NAME = /^[a-z][a-z0-9-]*$/u;

/** Registered extractors by name, built-ins first, then in registration order. */
const registry = new Map<string, Extractor>(
  [seedExtractor, strictExtractor, lmEvalStrictExtractor, lmEvalFlexibleExtractor].map((e) => [
    e.name,
    e,
  ]),
);

/**
 * Adds an extractor, so that tasks, `--extractor` and rescoring can name it. Registering a
 * taken name throws unless `replace` is set (a silent replacement would change old results).
 */
export function registerExtractor(e: Extractor, opts: { replace?: boolean } = {}): void {
  if (typeof e?.name !== 'string' || !NAME.test(e.name)) {
    throw new ExtractorError(
      `registerExtractor: name: expected lower-case letters, digits or '-', got ${JSON.stringify(e?.name)}`,
    );
  }
  if (typeof e.extract !== 'function' || typeof e.isCorrect !== 'function') {
    throw new ExtractorError(
      `registerExtractor: '${e.name}': expected extract and isCorrect functions`,
    );
  }
  if (registry.has(e.name) && !opts.replace) {
    throw new ExtractorError(
      `registerExtractor: '${e.name}' is already registered (pass { replace: true } to replace it)`,
    );
  }
  registry.set(e.name, e);
}

/** Removes a registered extractor; returns whether it was there. */
export function unregisterExtractor(name: string): boolean {
  return registry.delete(name);
}

/** Whether an extractor of that name is registered. */
export function hasExtractor(name: string): boolean {
  return registry.has(name);
}

/** The error text for an extractor name that is not registered, listing the known names. */
export function unknownExtractor(name: string): string {
  return `unknown extractor '${name}' (known: ${listExtractors().join(', ')})`;
}

/** The extractor registered as `name`; throws an ExtractorError listing the known names. */
export function getExtractor(name: string): Extractor {
  const e = registry.get(name);
  if (!e) throw new ExtractorError(unknownExtractor(name));
  return e;
}

/** The names of all registered extractors, built-ins first. */
export function listExtractors(): string[] {
  return [...registry.keys()];
}
