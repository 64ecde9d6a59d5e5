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

/**
 * Function words dropped before scoring and before the name guard ("I", "The", "How" are never a
 * topic keyword nor a name).
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and another any are as at be because ' +
    'been before being below between both but by can could did do does doing done down during ' +
    'each either else ever every few for from further get gets got had has have having he her ' +
    'here hers herself him himself his how i if in into is it its itself just let many me ' +
    'mine more most much must my myself no nor not now of off on once only or other our ours ' +
    'ourselves out over own per same she should so some such than that the their theirs them ' +
    'themselves then there these they this those through to too under until up upon us very ' +
    'was we were what when where whether which while who whom whose why will with within ' +
    'without would yet you your yours yourself mr mrs ms dr'
  ).split(' '),
);

/** Past forms and plurals the suffix rules of `wordForms` cannot undo, mapped to the base form. */
const IRREGULAR: Readonly<Record<string, string>> = {
  ate: 'eat',
  eaten: 'eat',
  bought: 'buy',
  sold: 'sell',
  paid: 'pay',
  spent: 'spend',
  earned: 'earn',
  made: 'make',
  ran: 'run',
  drove: 'drive',
  driven: 'drive',
  rode: 'ride',
  ridden: 'ride',
  flew: 'fly',
  flown: 'fly',
  flies: 'fly',
  swam: 'swim',
  grew: 'grow',
  grown: 'grow',
  built: 'build',
  wrote: 'write',
  written: 'write',
  drew: 'draw',
  drawn: 'draw',
  sang: 'sing',
  sung: 'sing',
  won: 'win',
  taught: 'teach',
  caught: 'catch',
  fed: 'feed',
  sewn: 'sew',
  knit: 'knit',
  wore: 'wear',
  worn: 'wear',
  drank: 'drink',
  froze: 'freeze',
  frozen: 'freeze',
  children: 'child',
  men: 'man',
  women: 'woman',
  people: 'person',
  feet: 'foot',
  teeth: 'tooth',
  mice: 'mouse',
  geese: 'goose',
  knives: 'knife',
  loaves: 'loaf',
  shelves: 'shelf',
  wolves: 'wolf',
  calves: 'calf',
  leaves: 'leaf',
  lives: 'life',
  wives: 'wife',
  halves: 'half',
  thieves: 'thief',
};

/** "shopp" -> "shop", "runn" -> "run": the doubled consonant of shopping/running (not ll, ss). */
function undouble(stem: string): string | null {
  return /([bdgkmnprt])\1$/u.test(stem) ? stem.slice(0, -1) : null;
}

/**
 * The base forms a lower-case word may have, for matching keywords written in base form (singular
 * nouns, plain verbs): the word itself, its irregular base ("bought" -> buy, "children" -> child),
 * and what these suffix rules leave (each stem keeps at least three letters, so "bed" and "thing"
 * stay whole):
 * - plurals and third persons: "-ies" -> y ("stories" -> story; "pies" -> pie by the "-s" rule),
 *   "-es" after s, x, z, ch, sh ("boxes" -> box), "-s" except after s, u, i ("glass", "bus" stay);
 * - pasts and gerunds: "-ied" -> y; "-ed" and "-ing" with the stem as is, with an "e" restored,
 *   and undoubled ("baked" -> bak, bake; "shopping" -> shop, shopp).
 * It over-generates on purpose, as only forms equal to a keyword count: "care" never becomes
 * "car" (a bare word loses no suffix), though "cared" and "caring" would.
 */
export function wordForms(word: string): Set<string> {
  const w = word.toLowerCase();
  const out = new Set<string>([w]);
  const irregular = IRREGULAR[w];
  if (irregular !== undefined) out.add(irregular);
  const add = (stem: string, ...endings: string[]) => {
    if (stem.length < 3) return;
    for (const e of endings) out.add(stem + e);
  };
  if (w.endsWith('ies')) add(w.slice(0, -3), 'y');
  if (/(?:[sxz]|[cs]h)es$/u.test(w)) add(w.slice(0, -2), '');
  if (/[^sui]s$/u.test(w)) add(w.slice(0, -1), '');
  if (w.endsWith('ied')) add(w.slice(0, -3), 'y');
  for (const suffix of ['ed', 'ing']) {
    if (!w.endsWith(suffix)) continue;
    const stem = w.slice(0, -suffix.length);
    add(stem, '', 'e');
    const single = undouble(stem);
    if (single !== null) add(single, '');
  }
  return out;
}

/**
 * The words of a text, lower-cased, in order: letter runs with inner apostrophes and hyphens, a
 * possessive "'s" dropped ("Janet's" -> janet), other apostrophes removed ("don't" -> dont), a
 * hyphenated word given as its parts and joined ("push-ups" -> push, ups, pushups), "$" read as
 * the word "dollar".
 */
export function wordsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/\$|\p{L}+(?:['’-]\p{L}+)*/gu)) {
    if (m[0] === '$') {
      out.push('dollar');
      continue;
    }
    const w = m[0].replace(/['’]s$/u, '').replace(/['’]/gu, '');
    if (w.includes('-')) out.push(...w.split('-'), w.replace(/-/gu, ''));
    else out.push(w);
  }
  return out;
}

/** The distinct words of a text that are not stop words (see `wordsOf`, `STOP_WORDS`). */
export function contentWords(text: string): string[] {
  return [...new Set(wordsOf(text).filter((w) => !STOP_WORDS.has(w)))];
}

/**
 * The capitalised words of a text that do not start it or one of its sentences (after . ! ? : ;
 * or a line break; a title such as "Mr." ends none), less stop words, lower-cased: the names
 * ("Janet", "Mr. Smith" -> smith, "Rose") and other proper nouns ("Monday") of a question. Words in
 * capitals ("DVD", "TV") are not names.
 */
export function properNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/(?<!\p{L})\p{Lu}\p{Ll}\p{L}*/gu)) {
    const before = text.slice(0, m.index).replace(/["'“‘(\s]+$/u, '');
    const starts =
      before === '' ||
      /\n\s*$/u.test(text.slice(0, m.index)) ||
      (/[.!?:;]$/u.test(before) && !/(?:^|[^\p{L}])(?:Mr|Mrs|Ms|Dr|St)\.$/u.test(before));
    const w = m[0].toLowerCase();
    if (!starts && !STOP_WORDS.has(w)) out.add(w);
  }
  return out;
}

/** The base forms (`wordForms`) of a text's content words (`contentWords`). */
export function contentForms(text: string): Set<string> {
  return new Set(contentWords(text).flatMap((w) => [...wordForms(w)]));
}

/** Whether base forms `forms` (see `contentForms`) include a base form of one of `words`. */
export function formsShareWord(forms: ReadonlySet<string>, words: ReadonlySet<string>): boolean {
  return [...words].some((w) => [...wordForms(w)].some((f) => forms.has(f)));
}

/**
 * Whether a content word of `text` shares a base form (`wordForms`) with one of `words`:
 * "Bakers often..." shares "baker" with the name Baker.
 */
export function sharesWordWith(text: string, words: ReadonlySet<string>): boolean {
  return words.size > 0 && formsShareWord(contentForms(text), words);
}

/**
 * A topic with weighted keywords in base form (see `wordForms`). A keyword written capitalised
 * ("Christmas") is a proper noun and also matches a capitalised word inside a sentence; the others
 * never match a proper name ("Rose", "Bill" and "Penny" name people, not flowers or money).
 */
export interface WeightedTopic {
  name: string;
  keywords: ReadonlyMap<string, number>;
}

/** How `scoreWeightedTopics` and `bestWeightedTopic` weigh keywords. */
export interface ScoringOptions {
  /** The most that a topic's weight-1 (generic) keywords add together; default no limit. */
  weakCap?: number;
  /** The least score that selects a topic (`bestWeightedTopic`); default 1. */
  minScore?: number;
}

/** A topic's score for one text and the distinct keywords that made it. */
export interface TopicScore {
  name: string;
  score: number;
  hits: string[];
}

/**
 * Scores a text against weighted topics. The text's content words (`contentWords`: lower-cased,
 * stop words dropped, "$" read as "dollar") are expanded to their base forms (`wordForms`:
 * plurals, "-ed", "-ing", irregular pasts); its proper names (`properNames`) only match capitalised
 * keywords. A topic scores the sum of the weights of its distinct keywords among those forms, so a
 * keyword counts once however often it occurs; keywords of weight 1 add at most `weakCap`
 * together. Returns every topic's score, in the topics' order.
 */
export function scoreWeightedTopics(
  text: string,
  topics: readonly WeightedTopic[],
  options: ScoringOptions = {},
): TopicScore[] {
  const names = properNames(text);
  const words = contentWords(text);
  const formsOf = (ws: string[]) => new Set(ws.flatMap((w) => [...wordForms(w)]));
  const common = formsOf(words.filter((w) => !names.has(w)));
  const proper = formsOf(words.filter((w) => names.has(w)));
  const index = keywordIndex(topics);
  const hits = topics.map(() => new Set<string>());
  const weak = topics.map(() => 0);
  const strong = topics.map(() => 0);
  const add = (forms: Set<string>, properOnly: boolean) => {
    for (const form of forms) {
      for (const { topic, weight, isProper } of index.get(form) ?? []) {
        if ((properOnly && !isProper) || hits[topic].has(form)) continue;
        hits[topic].add(form);
        if (weight === 1) weak[topic] += 1;
        else strong[topic] += weight;
      }
    }
  };
  add(common, false);
  add(proper, true);
  const weakCap = options.weakCap ?? Infinity;
  return topics.map((t, i) => ({
    name: t.name,
    score: strong[i] + Math.min(weak[i], weakCap),
    hits: [...hits[i]],
  }));
}

interface KeywordEntry {
  topic: number;
  weight: number;
  isProper: boolean;
}

const indexes = new WeakMap<readonly WeightedTopic[], Map<string, KeywordEntry[]>>();

/** Lower-cased keyword -> the topics (by index) that list it, with weight and proper-noun flag. */
function keywordIndex(topics: readonly WeightedTopic[]): Map<string, KeywordEntry[]> {
  let out = indexes.get(topics);
  if (out === undefined) {
    out = new Map();
    topics.forEach((t, topic) => {
      for (const [keyword, weight] of t.keywords) {
        const k = keyword.toLowerCase();
        const list = out?.get(k) ?? [];
        list.push({ topic, weight, isProper: k !== keyword });
        out?.set(k, list);
      }
    });
    indexes.set(topics, out);
  }
  return out;
}

/**
 * The best-scoring topic of a text (`scoreWeightedTopics`): the highest score, ties to the earlier
 * topic; null when the best score is below `minScore` (the caller then uses its default).
 */
export function bestWeightedTopic<T extends WeightedTopic>(
  text: string,
  topics: readonly T[],
  options: ScoringOptions = {},
): T | null {
  const minScore = options.minScore ?? 1;
  const scores = scoreWeightedTopics(text, topics, options);
  let best = -1;
  scores.forEach((s, i) => {
    if (s.score >= minScore && (best < 0 || s.score > scores[best].score)) best = i;
  });
  return best < 0 ? null : topics[best];
}
