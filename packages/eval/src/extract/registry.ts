import { LOWER_CASE_NAME, lowerCaseNameMessages, Registry } from '@exp/data';
import { ExtractorError, type Extractor } from './extractor.js';
import { lmEvalFlexibleExtractor, lmEvalStrictExtractor } from './lm-eval.js';
import { seedExtractor } from './seed.js';
import { strictExtractor } from './strict.js';

// Names become the `extractor` column of results and CLI arguments: keep them plain (lower-case).
/** Registered extractors by name, built-ins first, then in registration order. */
const registry = new Registry<Extractor>({
  builtins: [seedExtractor, strictExtractor, lmEvalStrictExtractor, lmEvalFlexibleExtractor].map(
    (e) => [e.name, e],
  ),
  pattern: LOWER_CASE_NAME,
  error: ExtractorError,
  messages: lowerCaseNameMessages('registerExtractor', 'extractor'),
  check: (name, e) => {
    if (typeof e.extract !== 'function' || typeof e.isCorrect !== 'function') {
      throw new ExtractorError(
        `registerExtractor: '${name}': expected extract and isCorrect functions`,
      );
    }
  },
});

/**
 * Adds an extractor, so that tasks, `--extractor` and rescoring can name it. Registering a
 * taken name throws unless `replace` is set (a silent replacement would change old results).
 */
export function registerExtractor(e: Extractor, opts: { replace?: boolean } = {}): void {
  registry.register(e?.name, e, opts);
}

/** Removes a registered extractor; returns whether it was there. */
export function unregisterExtractor(name: string): boolean {
  return registry.unregister(name);
}

/** Whether an extractor of that name is registered. */
export function hasExtractor(name: string): boolean {
  return registry.has(name);
}

/** The error text for an extractor name that is not registered, listing the known names. */
export function unknownExtractor(name: string): string {
  return registry.unknownMessage(name);
}

/** The extractor registered as `name`; throws an ExtractorError listing the known names. */
export function getExtractor(name: string): Extractor {
  return registry.get(name);
}

/** The names of all registered extractors, built-ins first. */
export function listExtractors(): string[] {
  return registry.names();
}
