// `gpu-shopper keys revoke <id>` (operators): the key stops working at once.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';

export class KeysRevokeCommand extends ShopperCommand {
  static override paths = [['keys', 'revoke']];
  static override usage = Command.Usage({
    category: 'API keys (operators)',
    description: 'revoke an API key',
    examples: [['Revoke a key', '$0 keys revoke key_abc123']],
  });

  id = Option.String({ name: 'id' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const revoked = await client.admin.revokeKey.mutate({ id: this.id });
    if (this.json) return this.printJson(revoked);
    this.print(`revoked key ${revoked.id} (${revoked.prefix}…${revoked.consumerName === null ? '' : `, consumer ${revoked.consumerName}`})`);
  }
}
