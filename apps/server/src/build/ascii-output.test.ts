import { describe, expect, it } from 'vitest';
import { asciiOnly, escapeNonAscii } from './ascii-output';

describe('the ASCII bundles', () => {
  it('escapes each UTF-16 unit outside ASCII', () => {
    expect(escapeNonAscii('caf\u00e9 \u{1F600} ok')).toBe('caf\\u00E9 \\uD83D\\uDE00 ok');
    expect(escapeNonAscii('plain')).toBe('plain');
  });

  it('escapes the characters esbuild leaves in comments, where the program stays the same', async () => {
    const code = 'var a = "\\xE9"; // caf\u00e9\n/*! legal: J. W\u00e4rting */\nmodule.exports = a;\n';
    const ascii = await asciiOnly(code);
    expect(ascii).toBe('var a = "\\xE9"; // caf\\u00E9\n/*! legal: J. W\\u00E4rting */\nmodule.exports = a;\n');
    expect(ascii).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it('leaves a bundle as it is where an escape would change it: a tagged template, a regular expression', async () => {
    for (const code of ['module.exports = String.raw`caf\u00e9`; // \u00e9\n', 'module.exports = /[\u00e9-\u00fc]/u.test("x"); // \u00e9\n']) expect(await asciiOnly(code)).toBe(code);
  });

  it('leaves an ASCII bundle alone', async () => {
    expect(await asciiOnly('module.exports = 1;\n')).toBe('module.exports = 1;\n');
  });
});
