// `gpu-shopper webhook set <url>` (consumers): where this consumer's events go; a new signing
// secret is printed this once.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';

export class WebhookSetCommand extends ShopperCommand {
  static override paths = [['webhook', 'set']];
  static override usage = Command.Usage({
    category: 'Webhooks',
    description: 'set your webhook URL (prints a new signing secret once)',
    details: 'URLs must be https:// (http:// only for localhost). Every call makes a new secret; the old one stops working.',
    examples: [['Send events to your endpoint', '$0 webhook set https://hooks.example.com/gpu-shopper']],
  });

  url = Option.String({ name: 'url' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const result = await client.admin.setWebhook.mutate({ url: this.url });
    if (this.json) return this.printJson(result);
    this.print([`Webhook set to ${result.url ?? this.url}. Signing secret:`, '', `  ${result.secret ?? '(none)'}`, '', 'Store it now: it is shown only this once.'].join('\n'));
  }
}
