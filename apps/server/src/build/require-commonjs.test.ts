import { describe, expect, it } from 'vitest';
import { REQUIRED_COMMONJS_PACKAGES } from '../../tsup.config';
import { isCommonJsForImport, isWrapperOfCommonJs, specifierPattern } from './require-commonjs';

const SERVER_DIR = `${import.meta.dirname}/../..`;

describe('the CommonJS packages the server bundle requires', () => {
  // A package that gains an ES build of its own would then load twice (import and require give two
  // instances): the bundle must import it again. This fails on such an upgrade.
  it.each(REQUIRED_COMMONJS_PACKAGES)('%s is still CommonJS for import', (name) => {
    expect(isCommonJsForImport(name, SERVER_DIR)).toBe(true);
  });

  it('tells real ES packages apart', () => {
    expect(isCommonJsForImport('zod', SERVER_DIR)).toBe(false);
    expect(isCommonJsForImport('@trpc/server', SERVER_DIR)).toBe(false);
  });

  it('recognises an ES wrapper of a CommonJS entry, and nothing more', () => {
    expect(isWrapperOfCommonJs('import mod from "./index.js";\n\nexport default mod;\nexport const from = mod.from;\n')).toBe(true);
    expect(isWrapperOfCommonJs("// ESM wrapper\nimport pg from '../lib/index.js'\nexport const Client = pg.Client\n")).toBe(true);
    expect(isWrapperOfCommonJs('import mod from "./index.js";\nexport * from "./other.mjs";\n')).toBe(false);
    expect(isWrapperOfCommonJs('import { a } from "./index.js";\nexport { a };\n')).toBe(false);
    expect(isWrapperOfCommonJs('export const a = 1;\n')).toBe(false);
  });

  it('matches a package and its subpaths, not packages that merely start alike', () => {
    const pattern = specifierPattern(['fastify', '@mikro-orm/core']);
    expect(['fastify', 'fastify/lib/x', '@mikro-orm/core'].every((name) => pattern.test(name))).toBe(true);
    expect(['fastify-plugin', '@mikro-orm/core2', '@mikro-orm/knex', 'x/fastify'].some((name) => pattern.test(name))).toBe(false);
  });
});
