// `gpu-shopper config get`: the settings in effect and where each comes from; the key masked.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { maskApiKey } from '../../config-store';

export class ConfigGetCommand extends ShopperCommand {
  static override paths = [['config', 'get'], ['config']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'show the server URL and whether an API key is set',
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
    if (this.json) return this.printJson(view);
    const source = (from: string | null) => (from === 'env' ? ' (from environment)' : from === 'default' ? ' (default)' : '');
    this.print(
      [
        `server URL:  ${view.serverUrl}${source(view.serverUrlSource)}`,
        `API key:     ${view.apiKey === null ? 'not set' : `${view.apiKey}${source(view.apiKeySource)}`}`,
        `config file: ${view.configFile}`,
      ].join('\n'),
    );
  }
}
