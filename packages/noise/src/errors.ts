import { DataError } from '@exp/data';

/**
 * A problem with noise generation the user can fix (bad template file, unknown noise type, bad
 * option, a custom noise type that returned inconsistent spans). One line naming what and where.
 * It extends DataError so callers can report every user-fixable input error the same way.
 */
export class NoiseError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = 'NoiseError';
  }
}
