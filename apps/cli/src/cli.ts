// Builds the gpu-shopper CLI and runs it against a context, so tests can run any command
// in-process with captured streams and get the exit code back. Parse errors come out as one line
// (with "did you mean" for a mistyped command or option), or as JSON when --json was asked for.
import { Builtins, Cli, type CommandClass } from './clipanion';
import packageJson from '../package.json';
import { GLOBAL_OPTION_NAMES } from './base-command';
import { colourFor, styleFor } from './color';
import { builtCommandList, isCommandListRequest, type CommandListTexts } from './command-list';
import type { CommandSpec } from './command-tree';
import type { ShopperContext } from './context';
import { EXIT_USAGE_ERROR, failureJson, USAGE_CODE } from './errors';
import { BINARY_NAME, describeParseError } from './parse-errors';
import { CompletionCommand } from './commands/completion/completion';
import { AlertsCommand } from './commands/admin/alerts';
import { OrphansCommand } from './commands/admin/orphans';
import { AuditCommand } from './commands/audit/list';
import { BudgetsDeleteCommand } from './commands/budgets/delete';
import { BudgetsListCommand } from './commands/budgets/list';
import { BudgetsSetCommand } from './commands/budgets/set';
import { ConfigGetCommand } from './commands/config/get';
import { ConfigSetCommand } from './commands/config/set';
import { CostsCommand } from './commands/costs/summary';
import { commandList, DefaultCommand, HelpCommand } from './commands/help/help';
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
const COMMANDS: readonly CommandClass<ShopperContext>[] = [
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
  CompletionCommand,
  HelpCommand,
  Builtins.VersionCommand,
];

/** The CLI with its commands readable as data (for completion and suggestions). */
export class ShopperCli extends Cli<ShopperContext> {
  /**
   * Global options go last in each command's option list, after the command's own, and stay out of
   * the one-line usages (the command list, error messages), where every command would repeat them;
   * the help says once that every command has them.
   */
  override register(commandClass: CommandClass<ShopperContext>): void {
    super.register(commandClass);
    const { builder } = this.registrations.get(commandClass)!;
    const isGlobal = (option: (typeof builder.options)[number]) => option.names.some((name) => GLOBAL_OPTION_NAMES.includes(name));
    const globals = builder.options.filter(isGlobal);
    if (globals.length === 0) return;
    builder.options.splice(0, builder.options.length, ...builder.options.filter((option) => !isGlobal(option)), ...globals);
    const usage = builder.usage.bind(builder);
    builder.usage = (options) => {
      const result = usage(options);
      return { ...result, usage: result.usage.replace(/ \[(--server-url|--api-key)( <[^>]*>| #0)?\]/g, '') };
    };
  }

  /** Every command reachable by name (not the bare default, -h or --version), with its options and arguments. */
  commandTree(): CommandSpec[] {
    const tree: CommandSpec[] = [];
    for (const [commandClass, { builder }] of this.registrations) {
      const paths = builder.paths.filter((path) => path.length > 0 && path.every((word) => /^[a-z]/.test(word)));
      if (paths.length === 0) continue;
      const extra = Array.isArray(builder.arity.extra) ? builder.arity.extra : [];
      tree.push({
        paths,
        description: commandClass.usage?.description ?? null,
        options: builder.options
          .filter((option) => !option.hidden)
          .map((option) => {
            // valueOption (options.ts) leaves its placeholder and values on clipanion's option record.
            const { placeholder, values } = option as { placeholder?: string; values?: readonly string[] };
            return { names: option.names, takesValue: option.arity > 0, placeholder: placeholder ?? null, values: values ?? null, description: option.description ?? null };
          }),
        positionals: [...builder.arity.leading, ...extra, ...builder.arity.trailing],
      });
    }
    return tree;
  }
}

/**
 * `colored` is fixed here because clipanion's help output otherwise guesses from the real stdout.
 * `commands` (default: all) lets a run register only the commands its arguments can select.
 */
export function buildCli({ colored = false, commands = COMMANDS }: { colored?: boolean; commands?: readonly CommandClass<ShopperContext>[] } = {}): ShopperCli {
  const cli = new ShopperCli({ binaryLabel: 'Cloud GPU Shopper', binaryName: BINARY_NAME, binaryVersion: CLI_VERSION, enableColors: colored });
  for (const command of commands) cli.register(command);
  return cli;
}

/** The command list as clipanion renders it, without colour and with: the build puts it in the bundle (see command-list.ts). */
export function commandListTexts(): CommandListTexts {
  return { plain: commandList(buildCli({ colored: false })), coloured: commandList(buildCli({ colored: true })) };
}

/**
 * The commands that argv can select: those with a path that starts with its first word (`--version`
 * is one). Clipanion compiles one parser over every registered command before it parses anything,
 * the slowest part of a start, and no path can match arguments that do not start with its first
 * word. `help <command>` (it parses that command's usage) or a first word no path starts with: all.
 */
function commandsFor(argv: readonly string[]): readonly CommandClass<ShopperContext>[] {
  const first = argv[0];
  if (first === undefined || first === 'help') return COMMANDS;
  const matching = COMMANDS.filter((command) => command.paths?.some((path) => path[0] === first));
  return matching.length === 0 ? COMMANDS : matching;
}

type Parsed = { command: ReturnType<ShopperCli['process']> } | { error: Error };

function parse(cli: ShopperCli, argv: string[], context: ShopperContext): Parsed {
  try {
    return { command: cli.process(argv, context) };
  } catch (error) {
    // Clipanion marks its own parse and validation errors; anything else is a bug, not a usage error.
    if (!(error instanceof Error && 'clipanion' in error)) throw error;
    return { error };
  }
}

/** `--json` before any "--": the caller wants errors as JSON too. */
function asksForJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Runs argv (without node and the script) and returns the exit code; output goes to the context's streams. */
export async function runCli(argv: string[], context: Partial<ShopperContext> = {}): Promise<number> {
  const fullContext: ShopperContext = { ...Cli.defaultContext, colorDepth: 1, ...context };
  const colored = colourFor(fullContext, 'stdout');
  // The list needs every command registered, and no parser: a build has it ready as text.
  if (isCommandListRequest(argv)) {
    fullContext.stdout.write(builtCommandList(colored) ?? commandList(buildCli({ colored })));
    return 0;
  }
  const commands = commandsFor(argv);
  let cli = buildCli({ colored, commands });
  let parsed = parse(cli, argv, fullContext);
  if ('error' in parsed && commands !== COMMANDS) {
    // Parsed again with every command, so that the message and "did you mean" consider them all.
    cli = buildCli({ colored });
    parsed = parse(cli, argv, fullContext);
  }
  if ('error' in parsed) {
    const failure = describeParseError(parsed.error, argv, cli.commandTree());
    if (asksForJson(argv)) fullContext.stderr.write(failureJson({ code: USAGE_CODE, ...failure }));
    else fullContext.stderr.write(`${styleFor(colourFor(fullContext, 'stderr')).red(`${BINARY_NAME}:`)} ${failure.message}\n`);
    return EXIT_USAGE_ERROR;
  }
  const { command } = parsed;
  if (command instanceof CompletionCommand) command.commandTree = (commands === COMMANDS ? cli : buildCli()).commandTree();
  return cli.run(command, fullContext);
}
