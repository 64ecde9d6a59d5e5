import { LOWER_CASE_NAME, lowerCaseNameMessages, Registry, type Problem } from '@exp/data';
import { TaskError } from './errors.js';

/** A prompt format, selected by name from a task. */
export interface PromptTemplate {
  readonly name: string;
  readonly description: string;
  /** Whether the format takes solved examples (then the task says how many: prompt.shots). */
  readonly usesShots: boolean;
  /** The prompt for `problem` after `shots` (empty unless usesShots). */
  render(problem: Problem, shots: readonly Problem[]): string;
}

const qa = (question: string) => `Question: ${question}\nAnswer:`;

/**
 * lm-eval's few-shot layout: each example is its `Question: ...\nAnswer:` text, the target
 * delimiter " " and the whole worked solution; examples and the question are joined by "\n\n".
 */
function kshot(problem: Problem, shots: readonly Problem[]): string {
  return [...shots.map((s) => `${qa(s.question)} ${s.answer}`), qa(problem.question)].join('\n\n');
}

const BUILTIN: readonly PromptTemplate[] = [
  {
    name: 'bare',
    description: "the question alone (the original project's zero-shot prompt)",
    usesShots: false,
    render: (p) => p.question,
  },
  {
    name: 'qa',
    description: 'Question: {q}\\nAnswer:',
    usesShots: false,
    render: (p) => qa(p.question),
  },
  {
    name: 'cot',
    description: "zero-shot chain of thought: Question: {q}\\nAnswer: Let's think step by step.",
    usesShots: false,
    render: (p) => `${qa(p.question)} Let's think step by step.`,
  },
  {
    name: 'kshot',
    description: 'k solved GSM8K train examples, then Question: {q}\\nAnswer: (lm-eval layout)',
    usesShots: true,
    render: kshot,
  },
  {
    name: 'sft',
    description: "Question: {q}\\n\\nAnswer: (the original project's SFT training format)",
    usesShots: false,
    render: (p) => `Question: ${p.question}\n\nAnswer:`,
  },
];

const registry = new Registry<PromptTemplate>({
  builtins: BUILTIN.map((t) => [t.name, t]),
  pattern: LOWER_CASE_NAME,
  error: TaskError,
  messages: lowerCaseNameMessages('registerPromptTemplate', 'prompt template'),
});

/** Adds a prompt template that tasks can name; a taken name throws unless `replace` is set. */
export function registerPromptTemplate(t: PromptTemplate, opts: { replace?: boolean } = {}): void {
  registry.register(t?.name, t, opts);
}

export function unregisterPromptTemplate(name: string): boolean {
  return registry.unregister(name);
}

/** Whether a prompt template of that name is registered. */
export function hasPromptTemplate(name: string): boolean {
  return registry.has(name);
}

/** The template registered as `name`; throws a TaskError listing the known names. */
export function getPromptTemplate(name: string): PromptTemplate {
  return registry.get(name);
}

export function unknownTemplate(name: string): string {
  return registry.unknownMessage(name);
}

/** Names of the registered prompt templates, built-ins first. */
export function listPromptTemplates(): string[] {
  return registry.names();
}
