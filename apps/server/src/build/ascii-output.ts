// A build plugin (tsup.config.ts): the CommonJS bundles (vendor and server) come out pure ASCII, so
// that a start reads each into a one-byte string straight from its bytes (see readBuiltFile in
// compile-cache.ts). esbuild escapes non-ASCII characters in code already, but not in the comments it
// keeps (a few of zod's and MikroORM's, a legal notice), nor where an escape would change the program
// (tagged templates, regular expressions); one such character made Node decode all 6 MB of
// dist/vendor.cjs as UTF-8 into a two-byte string at every start: 40 ms, against 3 ms for an ASCII
// file read as Latin-1.
import { transform } from 'esbuild';
import type { Options } from 'tsup';

type TsupPlugin = NonNullable<Options['plugins']>[number];

const NON_ASCII = /[\u0080-\uffff]/g;
/** The same, for test() (a global pattern's test() would keep a position between calls). */
const HAS_NON_ASCII = new RegExp(NON_ASCII.source);

/** Each UTF-16 unit outside ASCII as a `\uXXXX` escape (a pair of them for a character beyond the BMP). */
export function escapeNonAscii(code: string): string {
  return code.replace(NON_ASCII, (unit) => `\\u${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/**
 * The program as esbuild reads it, without its comments and with its strings and names printed in one
 * spelling: two sources that give the same are the same program. A regular expression or a template's
 * raw text is printed as written, so an escape there shows.
 */
async function canonical(code: string): Promise<string> {
  return (await transform(code, { minifyWhitespace: true, legalComments: 'none', charset: 'utf8', logLevel: 'silent' })).code;
}

/**
 * The bundle `code` with its non-ASCII characters escaped, where that leaves the program as it was
 * (checked with esbuild, see `canonical`); otherwise `code` as it is (the start then decodes it as UTF-8).
 */
export async function asciiOnly(code: string): Promise<string> {
  if (!HAS_NON_ASCII.test(code)) return code;
  const escaped = escapeNonAscii(code);
  const [before, after] = await Promise.all([canonical(code), canonical(escaped)]);
  return after === before ? escaped : code;
}

/**
 * Makes each output file whose path `filter` matches ASCII (see `asciiOnly`). On a line with an
 * escaped character, what follows it moves right (a source map's columns there are off by that
 * much): esbuild leaves such characters in comments only, where nothing follows on the line but
 * more comment, or a block comment's end.
 */
export function asciiOutput(filter: RegExp): TsupPlugin {
  return {
    name: 'ascii-output',
    async renderChunk(code, { path }) {
      if (!filter.test(path)) return undefined;
      const ascii = await asciiOnly(code);
      if (ascii === code && HAS_NON_ASCII.test(code)) this.logger.warn(this.format, `${path}: left with non-ASCII characters (escaping them would change the program); a start decodes it as UTF-8`);
      return ascii === code ? undefined : { code: ascii };
    },
  };
}
