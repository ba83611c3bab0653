import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { VENDORED_PACKAGES } from '../vendor';
import { LATER_VENDORED_PACKAGES } from '../vendor-later';
import { exportNamesOf, importFromVendorBundle, LATER_VENDOR_FILE, REQUIRE_BANNER, specifierPattern, VENDOR_FILE, vendorModuleSource, type VendorBundles } from './vendor-imports';

const SERVER_DIR = join(import.meta.dirname, '..', '..');

/** Bundles `source` (an ES module in the server's folder) with the plugin, as the server's build does. */
async function bundle(source: string, bundles: VendorBundles, format: 'esm' | 'cjs' = 'esm') {
  const result = await build({
    stdin: { contents: source, resolveDir: SERVER_DIR, loader: 'ts' },
    bundle: true,
    format,
    platform: 'node',
    write: false,
    logLevel: 'silent',
    banner: { js: format === 'esm' ? REQUIRE_BANNER : '' },
    plugins: [importFromVendorBundle(bundles)],
  });
  return result.outputFiles[0]!.text;
}

describe('the imports of vendored packages', () => {
  it('take each package from the vendor bundle, named exports included, and bundle none of it', async () => {
    const output = await bundle("import Fastify, { fastify } from 'fastify'; export const same = Fastify === fastify;", { [VENDOR_FILE]: ['fastify'] });
    expect(output).toContain('__require("./vendor.cjs").loadVendored("fastify")');
    expect(output).not.toMatch(/node_modules\/fastify/);
    expect(output).not.toContain('__toESM'); // bound directly, not copied into a namespace per importer
  });

  it('refuses a subpath the vendor bundle does not hold', async () => {
    await expect(bundle("import { x } from 'fastify/lib/errors';\nexport { x };", { [VENDOR_FILE]: ['fastify'] })).rejects.toThrow(/fastify\/lib\/errors is not in a vendor bundle/);
  });

  it('takes each package from the vendor bundle that holds it, and a later one loads on demand', async () => {
    const output = await bundle("import { z } from 'zod'; export const schema = z.string(); export const later = () => import('toad-scheduler');", { [VENDOR_FILE]: ['zod'], [LATER_VENDOR_FILE]: ['toad-scheduler'] });
    expect(output).toContain('__require("./vendor.cjs").loadVendored("zod")');
    expect(output).toContain('__require("./vendor-later.cjs").loadVendored("toad-scheduler")');
    // Reached only through import(): wrapped, so the later file is required on the first call, not at load.
    expect(output.indexOf('__require("./vendor-later.cjs")')).toBeGreaterThan(output.indexOf('__esm('));
  });

  it('builds a CommonJS bundle (the later vendor bundle) that takes the first bundle\'s packages from it, no banner needed', async () => {
    const output = await bundle("const { z } = require('zod'); module.exports = z.string();", { [VENDOR_FILE]: ['zod'] }, 'cjs');
    expect(output).toContain('require("./vendor.cjs").loadVendored("zod")');
    expect(output).not.toMatch(/node_modules\/zod/);
  });

  it('refuses a package named in two vendor bundles', () => {
    expect(() => importFromVendorBundle({ [VENDOR_FILE]: ['zod'], [LATER_VENDOR_FILE]: ['zod'] })).toThrow(/zod is in both vendor.cjs and vendor-later.cjs/);
  });

  it('writes the default export and the named ones, skipping names that cannot be bindings', () => {
    const source = vendorModuleSource('pkg', ['a', 'default', 'b', 'a', 'not-a-name', '$c'], VENDOR_FILE);
    expect(source).toBe('const vendored = require("./vendor.cjs").loadVendored("pkg");\nexport default vendored;\nexport const { a, b, $c } = vendored;\n');
    expect(vendorModuleSource('pkg', [], LATER_VENDOR_FILE)).toBe('const vendored = require("./vendor-later.cjs").loadVendored("pkg");\nexport default vendored;\n');
  });

  it('reads the export names of a package as require() gives them', () => {
    expect(exportNamesOf('toad-scheduler', SERVER_DIR)).toContain('ToadScheduler');
  });

  // The vendor bundle is built with require(): each name needs a CommonJS entry for it.
  it.each([...VENDORED_PACKAGES, ...LATER_VENDORED_PACKAGES])('%s resolves for require()', (name) => {
    expect(() => createRequire(join(SERVER_DIR, 'noop.js')).resolve(name)).not.toThrow();
  });

  it('matches a package and its subpaths, not packages that merely start alike', () => {
    const pattern = specifierPattern(['fastify', '@mikro-orm/core']);
    expect(['fastify', 'fastify/lib/x', '@mikro-orm/core'].every((name) => pattern.test(name))).toBe(true);
    expect(['fastify-plugin', '@mikro-orm/core2', '@mikro-orm/knex', 'x/fastify'].some((name) => pattern.test(name))).toBe(false);
  });
});
