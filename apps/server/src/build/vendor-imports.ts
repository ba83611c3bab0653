// A build plugin (tsup.config.ts): the server bundle takes the third-party packages src/vendor.ts
// and src/vendor-later.ts hold from the vendor bundles beside it (dist/vendor.cjs,
// dist/vendor-later.cjs), never from node_modules; so does the later vendor bundle, for the packages
// it shares with the first. From node_modules, Node resolved, read and compiled their files one by
// one at every start (some 880 CommonJS files and zod's and tRPC's ES modules; import of CommonJS
// also scanned each file for its export names first); a vendor bundle is one file, compiled
// through the code cache.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];
type PluginBuild = Parameters<EsbuildPlugin['setup']>[0];

const NAMESPACE = 'vendor-imports';

/** The vendor bundle a start needs, beside the bundle that requires it (tsup.config.ts builds them all into dist/). */
export const VENDOR_FILE = 'vendor.cjs';

/** The vendor bundle of packages used only later or rarely (src/vendor-later.ts), read on demand. */
export const LATER_VENDOR_FILE = 'vendor-later.cjs';

/**
 * The server's own code (src/serve.ts and our workspace packages), built to CommonJS beside the ES
 * entry dist/main.js (src/bundle-main.ts), which requires it once the compile cache is in place.
 */
export const SERVER_FILE = 'server.cjs';

/** Vendor bundle file (beside the bundle being built) to the packages it holds. */
export type VendorBundles = Readonly<Record<string, readonly string[]>>;

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
 * The module that stands for `name` in the bundle: the copy in vendor bundle `file` as its default export
 * (as Node's import of CommonJS gives `module.exports`) and each of `exportNames` read from it once.
 * ES exports rather than `module.exports = ...`: esbuild then binds each importer to them directly,
 * where a CommonJS module is copied, export by export, into a namespace object for each module
 * importing it (some 40 import zod: 30 ms of every start).
 */
export function vendorModuleSource(name: string, exportNames: readonly string[], file: string): string {
  const names = [...new Set(exportNames.filter(isBindingName))];
  const load = `const vendored = require(${JSON.stringify(`./${file}`)}).loadVendored(${JSON.stringify(name)});`;
  return `${load}\nexport default vendored;\n${names.length === 0 ? '' : `export const { ${names.join(', ')} } = vendored;\n`}`;
}

/** The export names require(`name`) gives, from `fromDir` (the build loads the package once to read them). */
export function exportNamesOf(name: string, fromDir: string): string[] {
  const exports = createRequire(join(fromDir, 'noop.js'))(name) as unknown;
  return (typeof exports === 'object' || typeof exports === 'function') && exports !== null ? Object.keys(exports) : [];
}

/**
 * Imports (static or dynamic) and require() calls of the packages in `bundles` become a module that
 * takes the package from its vendor bundle, `require('./vendor.cjs').loadVendored(name)`, with the
 * require left to Node at run time (see vendorModuleSource): a module reached only through import()
 * loads its package, and reads its vendor bundle, on demand. A vendor bundle holds the names it
 * lists, not their other subpaths: importing one is a build error.
 */
export function importFromVendorBundle(bundles: VendorBundles): EsbuildPlugin {
  const fileOf = new Map<string, string>();
  for (const [file, packages] of Object.entries(bundles)) {
    for (const name of packages) {
      if (fileOf.has(name)) throw new Error(`importFromVendorBundle: ${name} is in both ${fileOf.get(name)} and ${file}`);
      fileOf.set(name, file);
    }
  }
  if (fileOf.size === 0) throw new Error('importFromVendorBundle: no packages named');
  const filter = specifierPattern([...fileOf.keys()]);
  return {
    name: NAMESPACE,
    setup(build: PluginBuild) {
      // An ES bundle has no `require` of its own (a CommonJS one, the later vendor bundle, has Node's).
      const { banner, format } = build.initialOptions;
      if (format !== 'cjs' && !banner?.js?.includes(REQUIRE_BANNER)) throw new Error(`importFromVendorBundle needs the bundle's banner to start with REQUIRE_BANNER (tsup's banner option); it is: ${JSON.stringify(banner?.js ?? null)}`);
      // The vendor bundles themselves, from the modules below: Node resolves them at run time, beside the bundle.
      build.onResolve({ filter: specifierPattern(Object.keys(bundles).map((file) => `./${file}`)), namespace: NAMESPACE }, (args) => ({ path: args.path, external: true }));
      // Imports and require() calls alike: nothing in the bundle may load a second copy from node_modules.
      build.onResolve({ filter }, (args) => {
        if (!fileOf.has(args.path)) return { errors: [{ text: `${args.path} is not in a vendor bundle (they hold ${[...fileOf.keys()].join(', ')}): add it to src/vendor.ts or src/vendor-later.ts` }] };
        return { path: args.path, namespace: NAMESPACE, pluginData: { fromDir: args.resolveDir } };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: vendorModuleSource(args.path, exportNamesOf(args.path, (args.pluginData as { fromDir: string }).fromDir), fileOf.get(args.path)!), loader: 'js' }));
    },
  };
}
