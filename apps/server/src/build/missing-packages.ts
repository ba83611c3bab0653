// A build plugin (tsup.config.ts, the vendor bundle): a package that is not installed stays a plain
// require() in the bundle instead of failing the build. knex and MikroORM name the client of every
// database they support (mysql2, oracledb, tedious, better-sqlite3, libsql...) inside the functions
// that load them; we install only ours, and the others fail at run time, if ever asked for, as they
// did when knex was loaded from node_modules.
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/** Marks our own second resolution of an import, which the plugin must not see again. */
const RESOLVING = Symbol('missing-packages');

export function leaveMissingPackagesToRunTime(): EsbuildPlugin {
  return {
    name: 'missing-packages',
    setup(build) {
      // Bare specifiers only: a relative path that does not resolve is a real error.
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if ((args.pluginData as { [RESOLVING]?: true } | undefined)?.[RESOLVING] === true) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, namespace: args.namespace, pluginData: { [RESOLVING]: true } });
        if (resolved.errors.length === 0 || args.kind !== 'require-call') return undefined; // esbuild's own answer, or its error
        return { path: args.path, external: true };
      });
    },
  };
}
