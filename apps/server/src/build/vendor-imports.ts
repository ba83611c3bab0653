// A build plugin (tsup.config.ts): the server bundle takes the third-party packages src/vendor.ts
// holds from the vendor bundle beside it (dist/vendor.cjs), never from node_modules. From
// node_modules, Node resolved, read and compiled their files one by one at every start (some 880
// CommonJS files and zod's and tRPC's ES modules; import of CommonJS also scanned each file for its
// export names first); the vendor bundle is one file, compiled through the code cache.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];
type PluginBuild = Parameters<EsbuildPlugin['setup']>[0];

const NAMESPACE = 'vendor-imports';

/** The vendor bundle, beside the bundle that requires it (tsup.config.ts builds both into dist/). */
export const VENDOR_FILE = 'vendor.cjs';

/**
 * The bundle's first lines: the `require` its chunks call (esbuild's ESM output calls `require` when
 * the scope has one). Resolved from the chunk's own location, as its imports were.
 */
export const REQUIRE_BANNER = "import { createRequire as __gpuShopperCreateRequire } from 'node:module'; const require = __gpuShopperCreateRequire(import.meta.url);";

/**
 * `pkg` and its subpaths (`pkg/sub`), exactly. tsup marks its externals before any plugin of ours
 * sees them, so these must be in its `noExternal` too: this plugin makes them external itself.
 */
export function specifierPattern(packages: readonly string[]): RegExp {
  const escaped = packages.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^(?:${escaped.join('|')})(?:/.*)?$`);
}

/** Whether `name` can be exported under its own name by `export const { name } = ...`. */
const isBindingName = (name: string) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default';

/**
 * The module that stands for `name` in the bundle: the vendor bundle's copy as its default export
 * (as Node's import of CommonJS gives `module.exports`) and each of `exportNames` read from it once.
 * ES exports rather than `module.exports = ...`: esbuild then binds each importer to them directly,
 * where a CommonJS module is copied, export by export, into a namespace object for each module
 * importing it (some 40 import zod: 30 ms of every start).
 */
export function vendorModuleSource(name: string, exportNames: readonly string[]): string {
  const names = [...new Set(exportNames.filter(isBindingName))];
  const load = `const vendored = require(${JSON.stringify(`./${VENDOR_FILE}`)}).loadVendored(${JSON.stringify(name)});`;
  return `${load}\nexport default vendored;\n${names.length === 0 ? '' : `export const { ${names.join(', ')} } = vendored;\n`}`;
}

/** The export names require(`name`) gives, from `fromDir` (the build loads the package once to read them). */
export function exportNamesOf(name: string, fromDir: string): string[] {
  const exports = createRequire(join(fromDir, 'noop.js'))(name) as unknown;
  return (typeof exports === 'object' || typeof exports === 'function') && exports !== null ? Object.keys(exports) : [];
}

/**
 * Imports (static or dynamic) and require() calls of `packages` become a module that takes the
 * package from the vendor bundle, `require('./vendor.cjs').loadVendored(name)`, with the require left
 * to Node at run time (see vendorModuleSource); a module reached only through import() still loads
 * its package on demand. The vendor bundle holds the names it lists, not their other subpaths:
 * importing one is a build error.
 */
export function importFromVendorBundle(packages: readonly string[]): EsbuildPlugin {
  if (packages.length === 0) throw new Error('importFromVendorBundle: no packages named');
  const filter = specifierPattern(packages);
  const names = new Set(packages);
  return {
    name: NAMESPACE,
    setup(build: PluginBuild) {
      const { banner } = build.initialOptions;
      if (!banner?.js?.includes(REQUIRE_BANNER)) throw new Error(`importFromVendorBundle needs the bundle's banner to start with REQUIRE_BANNER (tsup's banner option); it is: ${JSON.stringify(banner?.js ?? null)}`);
      // The vendor bundle itself, from the modules below: Node resolves it at run time, beside the bundle.
      build.onResolve({ filter: specifierPattern([`./${VENDOR_FILE}`]), namespace: NAMESPACE }, (args) => ({ path: args.path, external: true }));
      // Imports and require() calls alike: nothing in the bundle may load a second copy from node_modules.
      build.onResolve({ filter }, (args) => {
        if (!names.has(args.path)) return { errors: [{ text: `${args.path} is not in the vendor bundle (src/vendor.ts holds ${[...names].join(', ')}): add it there` }] };
        return { path: args.path, namespace: NAMESPACE, pluginData: { fromDir: args.resolveDir } };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: vendorModuleSource(args.path, exportNamesOf(args.path, (args.pluginData as { fromDir: string }).fromDir)), loader: 'js' }));
    },
  };
}
