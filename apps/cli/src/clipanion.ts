// The CLI's only import of clipanion. Its 3.x ESM build imports a directory ('../platform'), which
// Node's ESM loader refuses (vitest resolves to that build); the CommonJS build works everywhere.
export { Builtins, Cli, Command, Option, UsageError } from 'clipanion/lib/advanced/index.js';
export type { BaseContext, CommandClass } from 'clipanion/lib/advanced/index.js';
