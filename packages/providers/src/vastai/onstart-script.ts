// Vast.ai caps the onstart script (VAST_MAX_ONSTART_CHARS), and the SSH key line shares that room: an
// RSA-4096 key alone is some 750 characters. Our bootstrap is written to be read (comments,
// indentation), so what is sent is the same script without them.

/**
 * The script without whole-line comments and leading indentation; the shebang stays. Safe for
 * scripts without here-documents or multi-line quoted strings whose leading blanks matter (our
 * bootstrap has an awk program in quotes, where they do not).
 */
export function compactShellScript(script: string): string {
  return script
    .split('\n')
    .filter((line, index) => (index === 0 && line.startsWith('#!')) || !/^\s*#/.test(line))
    .map((line) => line.replace(/^[ \t]+/, ''))
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}
