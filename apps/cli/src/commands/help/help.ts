// `gpu-shopper help [command...]`, `-h`, `--help`, and the bare `gpu-shopper`: the command list,
// or one command's detailed usage.
import { Command, Option } from '../../clipanion';
import type { ShopperContext } from '../../context';
import { EXIT_USAGE_ERROR } from '../../errors';
import { BINARY_NAME } from '../../parse-errors';

/** Said once under the command list rather than repeated on every line of it. */
export const GLOBAL_OPTIONS_NOTE = `

Every command that talks to the server also takes --server-url <url> and --api-key <key>, which
win over GPU_SHOPPER_URL / GPU_SHOPPER_API_KEY and the config file ("${BINARY_NAME} config get"
shows which is used). With --json, errors are JSON on stderr too. Shell completion:
"${BINARY_NAME} completion bash|zsh|fish".
`;

/** The command list with the note on global options: `help`, `--help`, `-h` and the bare command print it. */
export function commandList(cli: { usage: () => string }): string {
  return `${cli.usage()}${GLOBAL_OPTIONS_NOTE}`;
}

export class HelpCommand extends Command<ShopperContext> {
  static override paths = [['help'], ['-h'], ['--help']];
  static override usage = Command.Usage({
    description: 'list the commands, or explain one',
    examples: [
      ['All commands', '$0 help'],
      ['One command', '$0 help inventory'],
    ],
  });

  names = Option.Rest();

  async execute(): Promise<number> {
    if (this.names.length === 0) {
      this.context.stdout.write(commandList(this.cli));
      return 0;
    }
    // A command's own `-h` prints its detailed usage; parse first so an unknown name is one line.
    const input = [...this.names, '-h'];
    try {
      this.cli.process(input, this.context);
    } catch {
      this.context.stderr.write(`${BINARY_NAME}: no command "${this.names.join(' ')}" (see "${BINARY_NAME} --help")\n`);
      return EXIT_USAGE_ERROR;
    }
    return this.cli.run(input, this.context);
  }
}

export class DefaultCommand extends Command<ShopperContext> {
  static override paths = [Command.Default];

  async execute(): Promise<number> {
    this.context.stdout.write(commandList(this.cli));
    return 0;
  }
}
