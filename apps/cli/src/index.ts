// The CLI as a library: run it in-process (tests, wrappers) with an injected context.
export { buildCli, runCli, BINARY_NAME, CLI_VERSION } from './cli';
export type { ShopperContext } from './context';
