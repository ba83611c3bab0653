// Clipanion's parse errors span several lines and list candidates; the user gets one line that
// says what is wrong, the nearest command or option when it looks like a typo, and where to look.
import { commandAt, findCommand, nextWords, type CommandSpec } from './command-tree';
import { closest } from './suggest';

export const BINARY_NAME = 'gpu-shopper';

/** What a parse error comes to: one line, and the option or argument it is about (for `--json` errors). */
export interface ParseFailure {
  message: string;
  field: string | null;
}

/** Clipanion's "no command matches" error; not exported by the package, so recognised by shape. */
interface UnknownSyntaxError extends Error {
  input: string[];
  candidates: { usage: string; reason: string | null }[];
}

function isUnknownSyntaxError(error: unknown): error is UnknownSyntaxError {
  return error instanceof Error && error.name === 'UnknownSyntaxError' && Array.isArray((error as Partial<UnknownSyntaxError>).candidates);
}

const printable = (token: unknown): token is string => typeof token === 'string' && /^[\x20-\x7e]+$/.test(token);

/** The words before the first option: where the command's path is. */
function leadingWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (const token of argv) {
    if (token.startsWith('-')) break;
    words.push(token);
  }
  return words;
}

/** The options typed (names only: "--gpu=4090" → "--gpu"), up to a "--". */
function optionNames(argv: readonly string[]): string[] {
  const names: string[] = [];
  for (const token of argv) {
    if (token === '--') break;
    if (/^-{1,2}[^-]/.test(token)) names.push(token.split('=', 1)[0]!);
  }
  return names;
}

/** "did you mean" for a command typed wrong: the first word, then the next among the first's subcommands. */
function suggestCommand(tree: readonly CommandSpec[], words: readonly string[]): string | null {
  const fixed: string[] = [];
  for (const word of words) {
    const next = nextWords(tree, fixed);
    if (next.size === 0) break;
    const near = next.has(word) ? word : closest(word, next.keys());
    if (near === null) return null;
    fixed.push(near);
    if (commandAt(tree, fixed) !== null && nextWords(tree, fixed).size === 0) break;
  }
  return fixed.length > 0 && commandAt(tree, fixed) !== null ? fixed.join(' ') : null;
}

function unknownCommand(tree: readonly CommandSpec[], words: readonly string[]): ParseFailure {
  const typed = words.filter(printable).join(' ');
  const near = suggestCommand(tree, words);
  const help = `(see "${BINARY_NAME} --help")`;
  return { message: near === null ? `unknown command "${typed}" ${help}` : `unknown command "${typed}": did you mean "${BINARY_NAME} ${near}"? ${help}`, field: null };
}

function unknownOption(command: CommandSpec, path: readonly string[], argv: readonly string[]): ParseFailure | null {
  const known = new Set(['-h', '--help', ...command.options.flatMap((option) => option.names)]);
  const isKnown = (name: string) => known.has(name) || (name.startsWith('--no-') && known.has(`--${name.slice(5)}`));
  const unknown = optionNames(argv).find((name) => !isKnown(name));
  if (unknown === undefined || !printable(unknown)) return null;
  const where = `${BINARY_NAME} ${path.join(' ')}`;
  const near = closest(unknown, [...known].filter((name) => name.startsWith('--')));
  const message = near === null ? `unknown option "${unknown}" for "${where}" (see "${where} --help")` : `unknown option "${unknown}" for "${where}": did you mean "${near}"?`;
  return { message, field: unknown };
}

function describeUnknownSyntax(error: UnknownSyntaxError, argv: readonly string[], tree: readonly CommandSpec[]): ParseFailure {
  const words = leadingWords(argv);
  const match = findCommand(tree, words);
  if (match === null && words.length > 0) return unknownCommand(tree, words);
  if (match !== null) {
    // A word past the path where the command takes none: a subcommand typed wrong ("budgets sett").
    const extra = words[match.path.length];
    const subcommands = nextWords(tree, match.path);
    if (extra !== undefined && match.command.positionals.length === 0 && subcommands.size > 0) return unknownCommand(tree, words);
    const option = unknownOption(match.command, match.path, argv);
    if (option !== null) return option;
  }
  const [first] = error.candidates;
  const reason = first?.reason ?? null;
  if (match !== null && reason !== null) {
    const where = `${BINARY_NAME} ${match.path.join(' ')}`;
    const takes = match.command.positionals.map((name) => `<${name}>`).join(' ');
    const help = `(see "${where} --help")`;
    if (reason.startsWith('Not enough positional arguments')) return { message: `"${where}" needs ${takes} ${help}`, field: null };
    const extraneous = /^Extraneous positional argument \("(.*)"\)/.exec(reason);
    if (extraneous !== null) return { message: `unexpected argument "${extraneous[1]}" for "${where}"${takes === '' ? ', which takes none' : `, which takes ${takes}`} ${help}`, field: null };
  }
  const typed = error.input.filter(printable);
  const unknown = { message: `unknown command "${typed.join(' ')}" (see "${BINARY_NAME} --help")`, field: null };
  if (first === undefined) return unknown;
  // Only the bare default command matched: the words are not a command at all.
  if (first.usage === BINARY_NAME) return words.length === 0 && match === null ? topLevelOption(argv) : unknown;
  if (reason !== null && error.candidates.every((candidate) => candidate.reason === reason)) return { message: `${reason.replace(/\.$/, '')} (usage: ${first.usage})`, field: null };
  if (error.candidates.length === 1) return { message: `missing or invalid arguments (usage: ${first.usage})`, field: null };
  return unknown;
}

/** `gpu-shopper --frobnicate`: an option with no command before it. */
function topLevelOption(argv: readonly string[]): ParseFailure {
  const [name] = optionNames(argv);
  return { message: `unknown option "${name ?? argv.join(' ')}" (see "${BINARY_NAME} --help")`, field: name ?? null };
}

/**
 * Clipanion's parse and validation errors as one line. A value an option refuses reads
 * "--hours must be between 1 and 12 (...)": the validators in options.ts say "must be ...".
 */
export function describeParseError(error: Error, argv: readonly string[] = [], tree: readonly CommandSpec[] = []): ParseFailure {
  if (isUnknownSyntaxError(error)) return describeUnknownSyntax(error, argv, tree);
  const invalid = /^Invalid value for (\S+?):\s*(.*)$/s.exec(error.message);
  if (invalid !== null) {
    const [, name, detail] = invalid as unknown as [string, string, string];
    const text = detail.trim().replace(/^expected (?:to be )?/, 'must be ');
    return { message: /^must /.test(text) ? `${name} ${text}` : `${name}: ${text}`, field: name };
  }
  return { message: error.message.split('\n').find((line) => line.trim() !== '')?.trim() ?? error.message, field: null };
}
