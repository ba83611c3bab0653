// Builds the gpu-shopper CLI and runs it against a context, so tests can run any command
// in-process with captured streams and get the exit code back.
import { Builtins, Cli, type CommandClass } from './clipanion';
import packageJson from '../package.json';
import type { ShopperContext } from './context';
import { EXIT_USAGE_ERROR } from './errors';
import { BINARY_NAME, describeParseError } from './parse-errors';
import { AlertsCommand } from './commands/admin/alerts';
import { OrphansCommand } from './commands/admin/orphans';
import { AuditCommand } from './commands/audit/list';
import { BudgetsDeleteCommand } from './commands/budgets/delete';
import { BudgetsListCommand } from './commands/budgets/list';
import { BudgetsSetCommand } from './commands/budgets/set';
import { ConfigGetCommand } from './commands/config/get';
import { ConfigSetCommand } from './commands/config/set';
import { CostsCommand } from './commands/costs/summary';
import { DefaultCommand, HelpCommand } from './commands/help/help';
import { InventoryCommand } from './commands/inventory/search';
import { KeysCreateCommand } from './commands/keys/create';
import { KeysListCommand } from './commands/keys/list';
import { KeysRevokeCommand } from './commands/keys/revoke';
import { KeysRotateCommand } from './commands/keys/rotate';
import { OverrideApproveCommand } from './commands/overrides/approve';
import { OverrideDenyCommand } from './commands/overrides/deny';
import { OverridesListCommand } from './commands/overrides/list';
import { ServeCommand } from './commands/serve/serve';
import { SessionDoneCommand } from './commands/sessions/done';
import { SessionExtendCommand } from './commands/sessions/extend';
import { SessionGetCommand } from './commands/sessions/get';
import { SessionsListCommand } from './commands/sessions/list';
import { ProvisionCommand } from './commands/sessions/provision';
import { SessionShutdownCommand } from './commands/sessions/shutdown';
import { WebhookClearCommand } from './commands/webhook/clear';
import { WebhookDeliveriesCommand } from './commands/webhook/deliveries';
import { WebhookSetCommand } from './commands/webhook/set';

export { BINARY_NAME };
export const CLI_VERSION: string = packageJson.version;

// DefaultCommand comes first: clipanion's general usage lists every command only when a
// documented command is registered after the default one.
const COMMANDS: CommandClass<ShopperContext>[] = [
  DefaultCommand,
  InventoryCommand,
  ProvisionCommand,
  SessionsListCommand,
  SessionGetCommand,
  SessionDoneCommand,
  SessionExtendCommand,
  SessionShutdownCommand,
  OverridesListCommand,
  OverrideApproveCommand,
  OverrideDenyCommand,
  CostsCommand,
  BudgetsListCommand,
  BudgetsSetCommand,
  BudgetsDeleteCommand,
  KeysCreateCommand,
  KeysListCommand,
  KeysRotateCommand,
  KeysRevokeCommand,
  WebhookSetCommand,
  WebhookClearCommand,
  WebhookDeliveriesCommand,
  OrphansCommand,
  AlertsCommand,
  AuditCommand,
  ConfigGetCommand,
  ConfigSetCommand,
  ServeCommand,
  HelpCommand,
  Builtins.VersionCommand,
];

/** `colored` is fixed here because clipanion's help output otherwise guesses from the real stdout. */
export function buildCli({ colored = false }: { colored?: boolean } = {}): Cli<ShopperContext> {
  const cli = new Cli<ShopperContext>({ binaryLabel: 'Cloud GPU Shopper', binaryName: BINARY_NAME, binaryVersion: CLI_VERSION, enableColors: colored });
  for (const command of COMMANDS) cli.register(command);
  return cli;
}

/** Runs argv (without node and the script) and returns the exit code; output goes to the context's streams. */
export async function runCli(argv: string[], context: Partial<ShopperContext> = {}): Promise<number> {
  const fullContext: ShopperContext = { ...Cli.defaultContext, colorDepth: 1, ...context };
  const cli = buildCli({ colored: fullContext.colorDepth > 1 });
  let command;
  try {
    command = cli.process(argv, fullContext);
  } catch (error) {
    // Clipanion marks its own parse and validation errors; anything else is a bug, not a usage error.
    if (!(error instanceof Error && 'clipanion' in error)) throw error;
    fullContext.stderr.write(`${BINARY_NAME}: ${describeParseError(error)}\n`);
    return EXIT_USAGE_ERROR;
  }
  return cli.run(command, fullContext);
}
