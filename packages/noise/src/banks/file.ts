import { readFileSync } from 'node:fs';
import { formatIssue } from '@exp/data';
import { z } from 'zod';
import { NoiseError } from '../errors.js';
import { compileTopicPattern } from '../text/topics.js';
import { pickFrom, topicSentence, type NoiseBank } from './bank.js';

/** A sentence as inserted: trimmed, one line, ending in '.', '!' or '?' (so no '..' can appear). */
const SentenceSchema = z
  .string()
  .min(1, 'expected a non-empty sentence')
  .refine((s) => s === s.trim() && !/\n/u.test(s), 'expected one line without outer whitespace')
  .refine((s) => /[.!?]["'”’)]*$/u.test(s), "expected a sentence ending in '.', '!' or '?'");

const PatternSchema = z
  .string()
  .min(1, 'expected a non-empty pattern')
  .refine((p) => {
    try {
      compileTopicPattern(p);
      return true;
    } catch {
      return false;
    }
  }, 'expected a valid regular expression');

/**
 * A template bank file in the original project's format (../shared/data/original-noise/
 * templates.json): fixed sentences for INF and RCS, SD topics tried in order with a default.
 * Unknown keys such as "_about" are ignored. `sd.default` may also be a list of sentences.
 */
export const TemplateFileSchema = z.object({
  inf: z.array(SentenceSchema).min(1, 'expected at least one sentence'),
  rcs: z.array(SentenceSchema).min(1, 'expected at least one sentence'),
  sd: z.object({
    topics: z.array(
      z.object({
        pattern: PatternSchema,
        sentences: z.array(SentenceSchema).min(1, 'expected at least one sentence'),
      }),
    ),
    default: z.union([
      SentenceSchema,
      z.array(SentenceSchema).min(1, 'expected at least one sentence'),
    ]),
  }),
});
export type TemplateFile = z.infer<typeof TemplateFileSchema>;

/**
 * The original protocol over a file's sentences: INF and RCS pick one sentence uniformly; SD
 * takes the first topic (in file order) whose pattern matches the lower-cased question, as whole
 * words (the original's substring match let "car" match "care"), else the default.
 */
export function templateBank(file: TemplateFile, source: string): NoiseBank {
  return {
    source,
    inf: pickFrom(file.inf),
    rcs: pickFrom(file.rcs),
    sd: topicSentence(
      file.sd.topics.map((t, i) => ({
        name: `topic ${i}`,
        pattern: compileTopicPattern(t.pattern),
        sentences: t.sentences,
      })),
      typeof file.sd.default === 'string' ? [file.sd.default] : file.sd.default,
      'first',
    ),
  };
}

/** Parses and validates a template file's JSON text; errors name the file and the field. */
export function parseTemplateBank(text: string, file: string): NoiseBank {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new NoiseError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  const parsed = TemplateFileSchema.safeParse(value);
  if (!parsed.success) throw new NoiseError(`${file}: ${formatIssue(parsed.error.issues[0])}`);
  return templateBank(parsed.data, file);
}

/** Loads a template bank file (see TemplateFileSchema). */
export function loadTemplateBank(file: string): NoiseBank {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NoiseError(
      code === 'ENOENT' ? `${file}: file not found` : `${file}: ${(e as Error).message}`,
    );
  }
  return parseTemplateBank(text, file);
}
