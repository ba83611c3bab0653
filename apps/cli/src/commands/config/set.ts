// `gpu-shopper config set server-url|api-key <value>` writes the settings file (0600);
// `vastai-key|tensordock-key <key>` (operators) sends a provider key to the server, never printing it.
// Saving a setting that an environment variable overrides says so: the saved value would not be used.
import { Command, Option, UsageError } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { ENV_API_KEY, ENV_URL, maskApiKey, normalizeServerUrl, updateConfig } from '../../config-store';
import { describeProviderStatus } from '../../format/providers';
import { isOneOf } from '../../options';

const PROVIDER_KEYS = { 'vastai-key': 'vastai', 'tensordock-key': 'tensordock' } as const;
const SETTINGS = ['server-url', 'api-key', ...(Object.keys(PROVIDER_KEYS) as (keyof typeof PROVIDER_KEYS)[])] as const;

export class ConfigSetCommand extends ShopperCommand {
  static override paths = [['config', 'set']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'save the server URL or the API key; operators: set a provider key on the server',
    details: `
      \`server-url\` and \`api-key\` write \`$XDG_CONFIG_HOME/gpu-shopper/config.json\` (default
      \`~/.config/gpu-shopper\`) with mode 0600; GPU_SHOPPER_URL and GPU_SHOPPER_API_KEY override the file.
      \`vastai-key\` and \`tensordock-key\` (operator key needed) send the key to the server, which validates it
      against the provider, stores it encrypted and uses it from then on without a restart.
      Pass \`-\` as the value to read a key from stdin, which keeps it out of your shell history.
    `,
    examples: [
      ['Point the CLI at a server', '$0 config set server-url https://gpus.example.com'],
      ['Save an API key', '$0 config set api-key gsc_...'],
      ['Save an API key from a file', 'cat key.txt | $0 config set api-key -'],
      ['Operators: give the server a Vast.ai key', 'cat vast.key | $0 config set vastai-key -'],
      ['Operators: give the server a TensorDock token', '$0 config set tensordock-key -'],
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
      this.warnIfOverridden(ENV_URL, url, normalizeServerUrl);
      return;
    }
    const key = this.value === '-' ? (await this.readStdin()).trim() : this.value.trim();
    if (key === '') throw new UsageError(`${this.setting}: the key is empty`);
    if (this.setting !== 'api-key') {
      const client = await this.client();
      const status = await client.admin.setProviderKey.mutate({ provider: PROVIDER_KEYS[this.setting], key });
      this.print(`${this.setting} accepted by the server (validated, stored encrypted, in use now): ${describeProviderStatus(status)}`);
      return;
    }
    const file = await updateConfig(this.configDir, { apiKey: key });
    this.print(`API key ${maskApiKey(key)} saved (in ${file})`);
    this.warnIfOverridden(ENV_API_KEY, key, (text) => text.trim());
  }

  /** The environment wins over the file (the README has operators export the key): say so, or the saved value silently goes unused. */
  private warnIfOverridden(variable: string, saved: string, normalize: (text: string) => string | null): void {
    const fromEnv = this.context.env[variable]?.trim();
    if (fromEnv === undefined || fromEnv === '' || normalize(fromEnv) === saved) return;
    this.note(`${this.style('stderr').yellow('warning:')} ${variable} is set in this environment and overrides the saved ${this.setting}; it is used until you run "unset ${variable}"`);
  }

  private async readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.context.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString('utf8');
  }
}
