import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { VENDORED_PACKAGES } from '../vendor';
import { exportNamesOf, importFromVendorBundle, REQUIRE_BANNER, specifierPattern, vendorModuleSource } from './vendor-imports';

const SERVER_DIR = join(import.meta.dirname, '..', '..');

/** Bundles `source` (an ES module in the server's folder) with the plugin, as the server's build does. */
async function bundle(source: string, packages: readonly string[]) {
  const result = await build({
    stdin: { contents: source, resolveDir: SERVER_DIR, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    banner: { js: REQUIRE_BANNER },
    plugins: [importFromVendorBundle(packages)],
  });
  return result.outputFiles[0]!.text;
}

describe('the imports of vendored packages', () => {
  it('take each package from the vendor bundle, named exports included, and bundle none of it', async () => {
    const output = await bundle("import Fastify, { fastify } from 'fastify'; export const same = Fastify === fastify;", ['fastify']);
    expect(output).toContain('__require("./vendor.cjs").loadVendored("fastify")');
    expect(output).not.toMatch(/node_modules\/fastify/);
    expect(output).not.toContain('__toESM'); // bound directly, not copied into a namespace per importer
  });

  it('refuses a subpath the vendor bundle does not hold', async () => {
    await expect(bundle("import { x } from 'fastify/lib/errors';\nexport { x };", ['fastify'])).rejects.toThrow(/fastify\/lib\/errors is not in the vendor bundle/);
  });

  it('writes the default export and the named ones, skipping names that cannot be bindings', () => {
    const source = vendorModuleSource('pkg', ['a', 'default', 'b', 'a', 'not-a-name', '$c']);
    expect(source).toBe('const vendored = require("./vendor.cjs").loadVendored("pkg");\nexport default vendored;\nexport const { a, b, $c } = vendored;\n');
    expect(vendorModuleSource('pkg', [])).toBe('const vendored = require("./vendor.cjs").loadVendored("pkg");\nexport default vendored;\n');
  });

  it('reads the export names of a package as require() gives them', () => {
    expect(exportNamesOf('toad-scheduler', SERVER_DIR)).toContain('ToadScheduler');
  });

  // The vendor bundle is built with require(): each name needs a CommonJS entry for it.
  it.each(VENDORED_PACKAGES)('%s resolves for require()', (name) => {
    expect(() => createRequire(join(SERVER_DIR, 'noop.js')).resolve(name)).not.toThrow();
  });

  it('matches a package and its subpaths, not packages that merely start alike', () => {
    const pattern = specifierPattern(['fastify', '@mikro-orm/core']);
    expect(['fastify', 'fastify/lib/x', '@mikro-orm/core'].every((name) => pattern.test(name))).toBe(true);
    expect(['fastify-plugin', '@mikro-orm/core2', '@mikro-orm/knex', 'x/fastify'].some((name) => pattern.test(name))).toBe(false);
  });
});
