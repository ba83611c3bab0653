// A build plugin (tsup.config.ts, the vendor bundle): a package taken from another of its builds than
// the one its `exports` give Node. ofetch's `node` build (which the `node` condition of esbuild's node
// platform picks, for require and import alike) loads node-fetch-native at import: a fetch polyfill
// for Node versions without one, with node:zlib, node:stream/web and its own 40 kB, though Node 20
// has fetch and ofetch then never calls it (some 20 ms of CPU of every start). Its platform-neutral
// build is the same createFetch over globalThis.fetch, without the fallback.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/** The package's builds the vendor bundle takes, by package name: a file of the package, relative to its folder. */
export const NEUTRAL_BUILDS: Readonly<Record<string, string>> = { ofetch: 'dist/index.cjs' };

/** Resolves each package `builds` names (its bare name only) to the file given, in the folder it resolves to from the importer. */
export function takeBuilds(builds: Readonly<Record<string, string>> = NEUTRAL_BUILDS): EsbuildPlugin {
  const names = Object.keys(builds);
  if (names.length === 0) throw new Error('takeBuilds: no packages named');
  const filter = new RegExp(`^(?:${names.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'neutral-builds',
    setup(build) {
      build.onResolve({ filter }, (args) => {
        const packageJson = createRequire(join(args.resolveDir, 'noop.js')).resolve(`${args.path}/package.json`);
        return { path: join(dirname(packageJson), builds[args.path]!) };
      });
    },
  };
}
