import { formatIssue, readTextFile } from '@exp/data';
import { TaskError } from './errors.js';
import { TaskSchema, type Task } from './schema.js';

/** A user's task from a JSON file (TaskSchema); errors name the file and each bad field. */
export function loadTaskFile(file: string): Task {
  const text = readTextFile(file);
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/u, ''));
  } catch (e) {
    throw new TaskError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const parsed = TaskSchema.safeParse(json);
  if (!parsed.success) {
    throw new TaskError(`${file}: ${parsed.error.issues.map(formatIssue).join('; ')}`);
  }
  return parsed.data;
}
