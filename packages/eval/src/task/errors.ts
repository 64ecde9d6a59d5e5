import { ExpError } from '@exp/data';
/** A task the user can fix: a bad task file, an unknown protocol or template, missing shots. */
export class TaskError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'TaskError';
  }
}
