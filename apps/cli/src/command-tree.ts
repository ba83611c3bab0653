// The CLI's commands as data — paths, options, positionals — read from clipanion's builders once
// every command is registered. Shell completion and "did you mean" are generated from it, so
// neither keeps a list of its own that could drift from the commands.

export interface OptionSpec {
  /** "--max-price", or "-h" and "--help" for one option with two names. */
  names: string[];
  /** Whether the option takes a value (`--gpu 4090`), or is a flag (`--json`). */
  takesValue: boolean;
  /** What its value is ("n", "url"...), when it takes one. */
  placeholder: string | null;
  /** The words its value may be, when it is one of a few (`--provider`: vastai, tensordock). */
  values: readonly string[] | null;
  description: string | null;
}

export interface CommandSpec {
  /** Every path that runs the command (aliases too): [["sessions"], ["sessions", "list"]]. */
  paths: string[][];
  description: string | null;
  options: OptionSpec[];
  /** Positional arguments by name, in order ("id", "setting", "value"). */
  positionals: string[];
}

/** "help completion" → the command it names; longest path first, so "budgets set" wins over "budgets". */
export function findCommand(tree: readonly CommandSpec[], words: readonly string[]): { command: CommandSpec; path: string[] } | null {
  let found: { command: CommandSpec; path: string[] } | null = null;
  for (const command of tree) {
    for (const path of command.paths) {
      if (path.length <= words.length && path.every((word, index) => words[index] === word) && (found === null || path.length > found.path.length)) found = { command, path };
    }
  }
  return found;
}

/** Every path and every proper prefix of one ("budgets" of "budgets set"), as space-joined strings. */
export function knownPrefixes(tree: readonly CommandSpec[]): Set<string> {
  const prefixes = new Set<string>();
  for (const command of tree) for (const path of command.paths) for (let length = 1; length <= path.length; length++) prefixes.add(path.slice(0, length).join(' '));
  return prefixes;
}

/** The words that may follow `prefix` ("" for the first word), with the description of the command each ends, if any. */
export function nextWords(tree: readonly CommandSpec[], prefix: readonly string[]): Map<string, string | null> {
  const words = new Map<string, string | null>();
  for (const command of tree) {
    for (const path of command.paths) {
      if (path.length <= prefix.length || !prefix.every((word, index) => path[index] === word)) continue;
      const word = path[prefix.length]!;
      const endsHere = path.length === prefix.length + 1;
      if (!words.has(word) || (endsHere && words.get(word) === null)) words.set(word, endsHere ? command.description : (words.get(word) ?? null));
    }
  }
  return words;
}

/** The command whose path is exactly `path`, if one is. */
export function commandAt(tree: readonly CommandSpec[], path: readonly string[]): CommandSpec | null {
  return tree.find((command) => command.paths.some((candidate) => candidate.length === path.length && candidate.every((word, index) => path[index] === word))) ?? null;
}
