/** A plain keyword list such as "shop|store|buy" (letters, spaces, hyphens, apostrophes). */
const WORD_LIST = /^[\p{L}' -]+(?:\|[\p{L}' -]+)*$/u;

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/** A word and its simple plurals: "car" -> car|cars, "class" -> classes, "story" -> stories. */
function withPlurals(word: string): string {
  const w = escape(word.trim());
  if (/[^aeiou]y$/iu.test(word)) return `(?:${w}s?|${w.slice(0, -1)}ies)`;
  return `${w}(?:e?s)?`;
}

/**
 * Compiles a topic pattern for whole-word, case-insensitive matching. A plain keyword list
 * ("shop|store|car") becomes `\b(?:shops?|stores?|cars?)\b` with simple plurals, so "car" matches
 * "cars" but not "care" or "scar" (the original matched substrings). Any other pattern is taken as
 * a regular expression and wrapped the same way: `\b(?:PATTERN)(?:e?s)?\b`.
 * Throws a SyntaxError for an invalid regular expression.
 */
export function compileTopicPattern(pattern: string): RegExp {
  const body = WORD_LIST.test(pattern)
    ? pattern.split('|').map(withPlurals).join('|')
    : `(?:${pattern})(?:e?s)?`;
  return new RegExp(`\\b(?:${body})\\b`, 'iu');
}

export interface Topic {
  name: string;
  pattern: RegExp;
  sentences: readonly string[];
}

/** How a topic is chosen when several match. */
export type TopicRule = 'first' | 'most';

/**
 * The topic of a question. 'first': the first topic (in order) whose pattern matches anywhere,
 * the original's protocol. 'most': the topic with the most distinct matched words, ties going to
 * the earlier topic. Null when none matches (the caller uses its default sentences).
 */
export function selectTopic<T extends Topic>(
  question: string,
  topics: readonly T[],
  rule: TopicRule,
): T | null {
  const text = question.toLowerCase();
  let best: T | null = null;
  let bestHits = 0;
  for (const topic of topics) {
    if (rule === 'first') {
      if (topic.pattern.test(text)) return topic;
      continue;
    }
    const global = new RegExp(topic.pattern.source, 'giu');
    const hits = new Set([...text.matchAll(global)].map((m) => m[0])).size;
    if (hits > bestHits) {
      best = topic;
      bestHits = hits;
    }
  }
  return best;
}
