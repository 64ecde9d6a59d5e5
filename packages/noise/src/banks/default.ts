import { avoidingProblemNumbers, type NoiseBank } from './bank.js';
import { makeInfSentence } from './inf.js';
import { makeRcsSentence } from './rcs.js';
import { makeSdSentence } from './sd.js';

/** exp's own template bank: generated INF and RCS sentences, SD matched by topic scoring. */
export const DEFAULT_BANK: NoiseBank = {
  source: 'builtin',
  inf: avoidingProblemNumbers(makeInfSentence),
  rcs: avoidingProblemNumbers(makeRcsSentence),
  sd: makeSdSentence,
};
