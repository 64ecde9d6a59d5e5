import { VERSION as DATA_VERSION } from '@exp/data';
import { VERSION as EVAL_VERSION } from '@exp/eval';
import { VERSION as MODELS_VERSION, runtimeVersions } from '@exp/models';
import { VERSION as NOISE_VERSION } from '@exp/noise';

/** What produced a run's numbers, for its manifest. */
export function versions(): Record<string, string> {
  return {
    node: process.version,
    '@exp/data': DATA_VERSION,
    '@exp/noise': NOISE_VERSION,
    '@exp/models': MODELS_VERSION,
    '@exp/eval': EVAL_VERSION,
    ...runtimeVersions(),
  };
}
