import { compileTopicPattern } from '../text/topics.js';
import { avoidingProblemNumbers, topicSentence, type NoiseBank } from './bank.js';
import { makeInfSentence } from './inf.js';
import { makeRcsSentence } from './rcs.js';
import { SD_DEFAULT, SD_TOPICS } from './sd.js';

/** exp's own template bank: generated INF and RCS sentences, SD matched by topic. */
export const DEFAULT_BANK: NoiseBank = {
  source: 'builtin',
  inf: avoidingProblemNumbers(makeInfSentence),
  rcs: avoidingProblemNumbers(makeRcsSentence),
  sd: topicSentence(
    SD_TOPICS.map((t) => ({
      name: t.name,
      pattern: compileTopicPattern(t.words.join('|')),
      sentences: t.sentences,
    })),
    SD_DEFAULT,
    'most',
  ),
};
