// `gpu-shopper keys list` (operators): every API key by prefix; secrets are never shown.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatKeyList } from '../../format/keys';

export class KeysListCommand extends ShopperCommand {
  static override paths = [['keys', 'list'], ['keys']];
  static override usage = Command.Usage({
    category: 'API keys (operators)',
    description: 'list API keys (prefixes only)',
    examples: [
      ['List keys', '$0 keys list'],
      ['As JSON', '$0 keys list --json'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const result = await client.admin.listKeys.query({});
    if (this.json) return this.printJson(result);
    this.print(formatKeyList(result.keys, this.tableStyle()));
  }
}
