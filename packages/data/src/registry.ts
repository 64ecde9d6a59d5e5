// One named registry for every plug-in point of exp (noise types, extractors, prompt templates,
// models): built-ins first, then entries in registration order; a name that breaks the
// registry's rule or is taken is refused, and an unknown name's error lists the known ones.
// Each registry keeps its own error class and messages (the CLI and the tests print them).
// Here in @exp/data because every package that holds a registry may import it.

/** The messages of one registry's refusals. */
export interface RegistryMessages {
  /** A name that is not a string or breaks the registry's pattern. */
  badName(name: unknown): string;
  /** A taken name registered without `replace`. */
  taken(name: string): string;
  /** A name that is not registered, with the registered names in order. */
  unknown(name: string, known: readonly string[]): string;
}

/**
 * The messages of the registries whose names are lower-case (`[a-z][a-z0-9-]*`), named after
 * their register function and what they hold: "registerNoise: name: expected ...",
 * "unknown noise type 'x' (known: ...)".
 */
export function lowerCaseNameMessages(register: string, what: string): RegistryMessages {
  return {
    badName: (name) =>
      `${register}: name: expected lower-case letters, digits or '-', got ${JSON.stringify(name)}`,
    taken: (name) =>
      `${register}: '${name}' is already registered (pass { replace: true } to replace it)`,
    unknown: (name, known) => `unknown ${what} '${name}' (known: ${known.join(', ')})`,
  };
}

/** The lower-case name rule: names become file names, column values and CLI arguments. */
export const LOWER_CASE_NAME = /^[a-z][a-z0-9-]*$/u;

export interface RegistrySpec<T> {
  /** The built-in entries, in the order they are listed. */
  builtins: Iterable<readonly [string, T]>;
  /** What a registered name must match. */
  pattern: RegExp;
  /** The registry's error class. */
  error: new (message: string) => Error;
  messages: RegistryMessages;
  /**
   * Checks of an entry after its name's and before the taken check; returns the value to store
   * (e.g. the parsed one) or undefined to store it as given.
   */
  check?: (name: string, value: T) => T | void;
}

export class Registry<T> {
  private readonly entries: Map<string, T>;

  constructor(private readonly spec: RegistrySpec<T>) {
    this.entries = new Map(spec.builtins);
  }

  /** Adds `value` as `name`; a taken name throws unless `replace` is set. */
  register(name: unknown, value: T, opts: { replace?: boolean } = {}): void {
    const { pattern, error: RegistryError, messages, check } = this.spec;
    if (typeof name !== 'string' || !pattern.test(name)) {
      throw new RegistryError(messages.badName(name));
    }
    const stored = check?.(name, value) ?? value;
    if (this.entries.has(name) && !opts.replace) throw new RegistryError(messages.taken(name));
    this.entries.set(name, stored);
  }

  /** Removes `name`; returns whether it was there. */
  unregister(name: string): boolean {
    return this.entries.delete(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry registered as `name`, or undefined. */
  find(name: string): T | undefined {
    return this.entries.get(name);
  }

  /** The entry registered as `name`; throws the registry's error listing the known names. */
  get(name: string): T {
    const value = this.entries.get(name);
    if (value === undefined) throw new this.spec.error(this.unknownMessage(name));
    return value;
  }

  /** The error text for a name that is not registered, listing the known names. */
  unknownMessage(name: string): string {
    return this.spec.messages.unknown(name, this.names());
  }

  /** Registered names, built-ins first, then in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Registered entries, in the order of names(). */
  values(): T[] {
    return [...this.entries.values()];
  }
}
