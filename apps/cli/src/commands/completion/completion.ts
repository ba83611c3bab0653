// `gpu-shopper completion bash|zsh|fish`: prints a completion script for the shell, generated from
// the commands themselves (cli.ts hands the command tree over before it runs).
import { Command, Option } from '../../clipanion';
import type { CommandSpec } from '../../command-tree';
import { completionScript, SHELLS } from '../../completion';
import type { ShopperContext } from '../../context';
import { isOneOf } from '../../options';

export class CompletionCommand extends Command<ShopperContext> {
  static override paths = [['completion']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'print a shell completion script (bash, zsh or fish)',
    details: `
      Completes commands, subcommands, options, and the values of options that take one of a few words
      (\`--provider\`, \`--sort\`...) or a file. Load it once per shell, or install it where your shell looks.
    `,
    examples: [
      ['bash: load it in this shell (add the line to ~/.bashrc to keep it)', 'source <($0 completion bash)'],
      ['zsh: install it on your fpath', '$0 completion zsh > "${fpath[1]}/_gpu-shopper"'],
      ['fish: install it', '$0 completion fish > ~/.config/fish/completions/gpu-shopper.fish'],
    ],
  });

  shell = Option.String({ name: 'shell', validator: isOneOf(SHELLS) });

  /** Set by the CLI before running: the commands to complete. */
  commandTree: readonly CommandSpec[] = [];

  async execute(): Promise<number> {
    this.context.stdout.write(completionScript(this.shell, this.commandTree));
    return 0;
  }
}
