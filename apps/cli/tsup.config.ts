// Bundles the CLI with our workspace packages (whose exports point at TypeScript source) into
// dist/; other third-party packages stay external (resolved from node_modules at run time), which
// tsup would not do by itself for the server's dependencies since they are not ours. The command
// list's start is a build of its own, dist/command-list.cjs: CommonJS, as is bin/gpu-shopper.cjs,
// which loads it (see there and src/command-list.ts). In the CLI's build, splitting puts the server,
// loaded only by `serve`, and the SDK with @trpc/client, loaded by the commands that call a server,
// in chunks of their own. The commands share one chunk with clipanion: a chunk per command was
// tried and made runs slower (more files for the ESM loader to resolve and link: about 8% on
// `sessions`), and `<command> --help` no faster, since clipanion's parser, not the commands' code,
// is what such a start spends its time on.
import { builtinModules, isBuiltin } from 'node:module';
import { defineConfig, type Options } from 'tsup';
// Relative imports are bundled into the config as it loads (third-party ones stay external), so this
// is the CLI's source, run here to render the command list from the commands themselves.
import { commandListTexts } from './src/cli';
import { COMMAND_LIST_GLOBALS } from './src/command-list';

/** What every start runs: in the bundle, one file to read rather than dozens of modules to resolve and load. */
const STARTUP_PACKAGES = ['clipanion', 'typanion'];

/** "tty", "node:tty", "fs/promises"... */
const NODE_BUILTIN = new RegExp(`^(node:)?(${builtinModules.join('|')})$`);

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Clipanion is CommonJS and requires Node built-ins ("tty", "async_hooks"), which esbuild's ESM
 * output turns into a call of a `require` that ES modules lack. They become imports of the
 * built-in instead, so no chunk needs the usual `createRequire` banner.
 */
const builtinRequiresAsImports: EsbuildPlugin = {
  name: 'builtin-requires-as-imports',
  setup(build) {
    build.onResolve({ filter: NODE_BUILTIN }, (args) => (args.kind === 'require-call' && isBuiltin(args.path) ? { path: args.path.replace(/^node:/, ''), namespace: 'builtin-require' } : undefined));
    // `require` gets the namespace with `default` (the module itself): what CommonJS interop expects.
    build.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({ contents: `export * from 'node:${args.path}'; export { default } from 'node:${args.path}';`, loader: 'js' }));
  },
};

/** The command list, rendered by clipanion from the commands, as esbuild string literals. */
function commandListDefines(): Record<string, string> {
  const texts = commandListTexts();
  return { [COMMAND_LIST_GLOBALS.plain]: JSON.stringify(texts.plain), [COMMAND_LIST_GLOBALS.coloured]: JSON.stringify(texts.coloured) };
}

/** dist/command-list.cjs, the command list's start: bin/gpu-shopper.cjs reads it before anything else. */
const COMMAND_LIST_ENTRY = 'command-list';
const COMMAND_LIST_FILE = `${COMMAND_LIST_ENTRY}.cjs`;

export default defineConfig((): Options[] => {
  // The command list as text: `gpu-shopper --help` prints it without loading clipanion or any command.
  const define = commandListDefines();
  // Node reads a map only with --enable-source-maps (then stacks name the TypeScript source); without it, never.
  const shared = { platform: 'node', target: 'node20', define, sourcemap: true } satisfies Options;
  return [
    {
      ...shared,
      entry: { main: 'src/main.ts', index: 'src/index.ts' },
      format: ['esm'],
      // Node's built-ins are listed so that tsup's own resolver passes them on to builtinRequiresAsImports
      // (which leaves all but CommonJS requires to esbuild, who keeps built-ins external).
      noExternal: [/^@gpu-shopper\//, ...STARTUP_PACKAGES.map((name) => new RegExp(`^${name}(/|$)`)), NODE_BUILTIN],
      // Any bare specifier that is not a workspace or a startup package: relative and absolute paths are bundled.
      external: [new RegExp(`^(?![./]|@gpu-shopper/|(${STARTUP_PACKAGES.join('|')})(/|$))`)],
      esbuildPlugins: [builtinRequiresAsImports],
      // The SDK's exports name its build for outside users; here, its source (as for every workspace package).
      esbuildOptions(options) {
        options.conditions = ['@gpu-shopper/source'];
      },
      splitting: true,
      // Both builds run at once into one folder, so only this one cleans it, sparing the other's file.
      clean: [`!${COMMAND_LIST_FILE}`, `!${COMMAND_LIST_FILE}.map`],
    },
    {
      ...shared,
      // Imports nothing outside the CLI's source: one self-contained file (a test checks it).
      entry: { [COMMAND_LIST_ENTRY]: 'src/command-list.ts' },
      format: ['cjs'],
      outExtension: () => ({ js: '.cjs' }),
      clean: false,
    },
  ];
});
