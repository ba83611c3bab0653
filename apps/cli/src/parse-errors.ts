// Clipanion's parse errors span several lines and list candidates; the user gets one line that
// says what is wrong and where to look.
export const BINARY_NAME = 'gpu-shopper';

/** Clipanion's "no command matches" error; not exported by the package, so recognised by shape. */
interface UnknownSyntaxError extends Error {
  input: string[];
  candidates: { usage: string; reason: string | null }[];
}

function isUnknownSyntaxError(error: unknown): error is UnknownSyntaxError {
  return error instanceof Error && error.name === 'UnknownSyntaxError' && Array.isArray((error as Partial<UnknownSyntaxError>).candidates);
}

/** Clipanion's parse errors span several lines; the user gets one that says what to do. */
export function describeParseError(error: Error): string {
  if (isUnknownSyntaxError(error)) {
    const [first] = error.candidates;
    const reason = first?.reason ?? null;
    const words = error.input.filter((token) => typeof token === 'string' && /^[\x20-\x7e]+$/.test(token));
    const unknown = `unknown command "${words.join(' ')}" (see "${BINARY_NAME} --help")`;
    if (first === undefined) return unknown;
    // Only the bare default command matched: the words are not a command at all.
    if (first.usage === BINARY_NAME) return unknown;
    if (reason !== null && error.candidates.every((candidate) => candidate.reason === reason)) return `${reason.replace(/\.$/, '')} (usage: ${first.usage})`;
    if (error.candidates.length === 1) return `missing or invalid arguments (usage: ${first.usage})`;
    return unknown;
  }
  return error.message.split('\n').find((line) => line.trim() !== '')?.trim() ?? error.message;
}
