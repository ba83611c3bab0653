// A build plugin (tsup.config.ts): the server bundle loads the third-party CommonJS packages it names
// with require() instead of import. Node's import of a CommonJS module first scans its source for
// export names (cjs-module-lexer, in JavaScript on Node 20), and every module it re-exports, file by
// file: MikroORM's index re-exports some 150 files, which made importing it take twice as long as
// requiring it. require() returns the very module object import would wrap (one CommonJS cache).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];
type PluginBuild = Parameters<EsbuildPlugin['setup']>[0];

const NAMESPACE = 'require-commonjs';

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

/**
 * Imports (static or dynamic) of `packages` become a module of one line, `module.exports =
 * require(name)`, with the require left to Node at run time. Named imports read that object's
 * properties, as Node's import of CommonJS gives them. Only for packages whose import resolves to
 * CommonJS (see isCommonJsForImport): a package with an ESM build of its own would load twice.
 */
export function requireCommonJs(packages: readonly string[]): EsbuildPlugin {
  if (packages.length === 0) throw new Error('requireCommonJs: no packages named');
  const filter = specifierPattern(packages);
  return {
    name: NAMESPACE,
    setup(build: PluginBuild) {
      const { banner } = build.initialOptions;
      if (!banner?.js?.includes(REQUIRE_BANNER)) throw new Error(`requireCommonJs needs the bundle's banner to start with REQUIRE_BANNER (tsup's banner option); it is: ${JSON.stringify(banner?.js ?? null)}`);
      build.onResolve({ filter }, (args) => {
        // Ours, from the one-line module below: Node resolves it at run time.
        if (args.namespace === NAMESPACE) return { path: args.path, external: true };
        // A require() in bundled code stays one; never bundle the package itself.
        if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return { path: args.path, external: true };
        return { path: args.path, namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    },
  };
}

/**
 * Whether importing `name` from `fromDir` gives a CommonJS module: a package that is not
 * `"type": "module"` and whose `import` condition, if any, is only an ES wrapper of its CommonJS
 * entry (`import mod from "./index.js"`, as MikroORM ships), so that require() yields the same instance.
 */
export function isCommonJsForImport(name: string, fromDir: string): boolean {
  const manifestPath = createRequire(join(fromDir, 'noop.js')).resolve(`${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { type?: string; exports?: unknown };
  if (manifest.type === 'module') return false;
  const importTarget = importConditionOf(manifest.exports);
  if (importTarget === undefined) return !/\.mjs$/.test(String((manifest as { main?: string }).main ?? ''));
  if (!importTarget.endsWith('.mjs')) return true;
  return isWrapperOfCommonJs(readFileSync(join(dirname(manifestPath), importTarget), 'utf8'));
}

/** An ES module whose one import is the default of a relative `.js` file (`import mod from "./index.js"`). */
export function isWrapperOfCommonJs(source: string): boolean {
  const imports = [...source.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*(['"])([^'"]+)\1/gm)];
  return imports.length === 1 && /^\s*import\s+[\w$]+\s+from/.test(imports[0]![0]) && /^\.\.?\/[^'"]+\.js$/.test(imports[0]![2]!);
}

/** The file `exports["."]` names under `import` (nested `{ default }` included), if any. */
function importConditionOf(exports: unknown): string | undefined {
  if (typeof exports !== 'object' || exports === null) return undefined;
  const root = (exports as Record<string, unknown>)['.'] ?? exports;
  if (typeof root !== 'object' || root === null) return undefined;
  const target = (root as Record<string, unknown>).import;
  if (typeof target === 'string') return target;
  if (typeof target === 'object' && target !== null && typeof (target as Record<string, unknown>).default === 'string') return (target as Record<string, string>).default;
  return undefined;
}
