// `gpu-shopper config set server-url|api-key <value>`: writes the settings file (0600).
import { Command, Option, UsageError } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { maskApiKey, normalizeServerUrl, updateConfig } from '../../config-store';
import { isOneOf } from '../../options';

const SETTINGS = ['server-url', 'api-key'] as const;

export class ConfigSetCommand extends ShopperCommand {
  static override paths = [['config', 'set']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'save the server URL or the API key',
    details: `
      Writes \`$XDG_CONFIG_HOME/gpu-shopper/config.json\` (default \`~/.config/gpu-shopper\`) with mode 0600.
      GPU_SHOPPER_URL and GPU_SHOPPER_API_KEY override the file. Pass \`-\` as the key to read it from stdin,
      which keeps it out of your shell history.
    `,
    examples: [
      ['Point the CLI at a server', '$0 config set server-url https://gpus.example.com'],
      ['Save an API key', '$0 config set api-key gsc_...'],
      ['Save an API key from a file', 'cat key.txt | $0 config set api-key -'],
    ],
  });

  setting = Option.String({ name: 'setting', validator: isOneOf(SETTINGS) });
  value = Option.String({ name: 'value' });

  async run(): Promise<void> {
    if (this.setting === 'server-url') {
      const url = normalizeServerUrl(this.value);
      if (url === null) throw new UsageError(`server-url: "${this.value}" is not an http(s) URL, e.g. http://localhost:8080`);
      const file = await updateConfig(this.configDir, { serverUrl: url });
      this.print(`server URL set to ${url} (in ${file})`);
      return;
    }
    const key = this.value === '-' ? (await this.readStdin()).trim() : this.value.trim();
    if (key === '') throw new UsageError('api-key: the key is empty');
    const file = await updateConfig(this.configDir, { apiKey: key });
    this.print(`API key ${maskApiKey(key)} saved (in ${file})`);
  }

  private async readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.context.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString('utf8');
  }
}
