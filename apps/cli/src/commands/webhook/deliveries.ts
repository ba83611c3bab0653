// `gpu-shopper webhook deliveries`: the delivery log (your own; operators see all), newest first.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatDeliveryList } from '../../format/webhooks';
import { isCount, valueOption } from '../../options';

export class WebhookDeliveriesCommand extends ShopperCommand {
  static override paths = [['webhook', 'deliveries'], ['webhook']];
  static override usage = Command.Usage({
    category: 'Webhooks',
    description: 'list webhook deliveries and their status',
    examples: [
      ['Recent deliveries', '$0 webhook deliveries'],
      ['The last 10, as JSON', '$0 webhook deliveries --limit=10 --json'],
    ],
  });

  limit = valueOption('--limit', { placeholder: 'n', validator: isCount(), description: 'at most this many (default 50)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const result = await client.admin.deliveries.query({ limit: this.limit });
    if (this.json) return this.printJson(result);
    this.print(formatDeliveryList(result.deliveries, this.tableStyle()));
  }
}
