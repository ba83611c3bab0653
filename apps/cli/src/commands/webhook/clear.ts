// `gpu-shopper webhook clear` (consumers): stop sending this consumer's events anywhere.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';

export class WebhookClearCommand extends ShopperCommand {
  static override paths = [['webhook', 'clear']];
  static override usage = Command.Usage({
    category: 'Webhooks',
    description: 'remove your webhook',
    examples: [['Stop webhook deliveries', '$0 webhook clear']],
  });

  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const result = await client.admin.setWebhook.mutate({ url: null });
    if (this.json) return this.printJson(result);
    this.print('Webhook cleared: no more deliveries to it.');
  }
}
