// A build plugin (tsup.config.ts): the modules of the named workspace packages are free of side
// effects at import, so the bundle keeps only those whose exports it uses, as `"sideEffects": false`
// in their package.json would say. The server takes one function from the agent package's entry
// (jsonDepthExceeds); without this, the whole agent (its routers, schemas and OpenAPI generator, and
// with it trpc-to-openapi) was bundled and evaluated at every server start.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/** Marks our own second resolution of an import, which the plugin must not see again. */
const RESOLVING = Symbol('side-effect-free');

/** The folder of each package, as resolved from `fromDir` (a workspace link resolves to the package's own folder). */
export function packageDirs(names: readonly string[], fromDir: string): string[] {
  const require = createRequire(join(fromDir, 'noop.js'));
  return names.map((name) => {
    // From its entry up to its package.json: not every package exports `./package.json`.
    let dir = dirname(require.resolve(name));
    while (!existsSync(join(dir, 'package.json'))) {
      if (dirname(dir) === dir) throw new Error(`sideEffectFree: no package.json above ${require.resolve(name)}`);
      dir = dirname(dir);
    }
    return `${dir}${sep}`;
  });
}

/** Whether `path` is a module of one of `dirs` (their own files, not their node_modules). */
export function isUnder(path: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => path.startsWith(dir) && !path.slice(dir.length).split(sep).includes('node_modules'));
}

export function sideEffectFree(dirs: readonly string[]): EsbuildPlugin {
  if (dirs.length === 0) throw new Error('sideEffectFree: no package folders named');
  return {
    name: 'side-effect-free',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if ((args.pluginData as { [RESOLVING]?: true } | undefined)?.[RESOLVING] === true) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, namespace: args.namespace, pluginData: { [RESOLVING]: true } });
        if (resolved.errors.length > 0 || resolved.external || !isUnder(resolved.path, dirs)) return undefined;
        return { ...resolved, sideEffects: false };
      });
    },
  };
}
