// `gpu-shopper config get`: the settings in effect and where each comes from, the key masked; with
// an operator key also the server's provider configuration (which are configured, which simulated).
import { Command, Option } from '../../clipanion';
import type { ShopperClient } from '@gpu-shopper/sdk';
import { ShopperCommand } from '../../base-command';
import { maskApiKey } from '../../config-store';
import { apiErrorCode } from '../../errors';
import { formatProviderList, type ProviderStatus } from '../../format/providers';

/** The server is asked only in passing: a slow or absent one must not hold up a local command. */
const PROVIDERS_TIMEOUT_MS = 3_000;
export const PROVIDERS_UNAVAILABLE = 'provider configuration not available on this server';

export class ConfigGetCommand extends ShopperCommand {
  static override paths = [['config', 'get'], ['config']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'show the server URL, whether an API key is set, and (operators) the providers',
    details: 'With an operator key it also shows which providers the server has keys for and which are simulated.',
    examples: [
      ['Show the settings', '$0 config get'],
      ['As JSON', '$0 config get --json'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'print JSON' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const view = {
      serverUrl: settings.serverUrl,
      serverUrlSource: settings.serverUrlSource,
      apiKeySet: settings.apiKey !== null,
      apiKey: settings.apiKey === null ? null : maskApiKey(settings.apiKey),
      apiKeySource: settings.apiKeySource,
      configFile: settings.configFile,
    };
    const providers = settings.apiKey === null ? undefined : await this.providers(await this.client());
    if (this.json) return this.printJson(providers === undefined ? view : { ...view, providers });
    const source = (from: string | null) => (from === 'flag' ? ' (from the command line)' : from === 'env' ? ' (from environment)' : from === 'default' ? ' (default)' : '');
    const lines = [
      `server URL:  ${view.serverUrl}${source(view.serverUrlSource)}`,
      `API key:     ${view.apiKey === null ? 'not set' : `${view.apiKey}${source(view.apiKeySource)}`}`,
      `config file: ${view.configFile}`,
    ];
    if (providers === null) lines.push(`providers:   ${PROVIDERS_UNAVAILABLE}`);
    else if (providers !== undefined) lines.push('providers:', ...formatProviderList(providers, this.tableStyle()).split('\n').map((line) => `  ${line}`));
    this.print(lines.join('\n'));
  }

  /** The list for an operator key; null when the server cannot say; undefined (nothing shown) otherwise. */
  private async providers(client: ShopperClient): Promise<ProviderStatus[] | null | undefined> {
    try {
      return (await client.admin.providers.query({}, { signal: AbortSignal.timeout(PROVIDERS_TIMEOUT_MS) })).providers;
    } catch (error) {
      return (await apiErrorCode(error)) === 'SERVICE_UNAVAILABLE' ? null : undefined;
    }
  }
}
