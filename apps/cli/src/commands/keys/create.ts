// `gpu-shopper keys create --consumer <name>` (operators): a consumer API key, shown this once.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { isUntil, resolveUntil, valueOption } from '../../options';

export class KeysCreateCommand extends ShopperCommand {
  static override paths = [['keys', 'create']];
  static override usage = Command.Usage({
    category: 'API keys (operators)',
    description: 'create an API key for a consumer',
    details: 'The key is printed once and never again: the server stores only its hash. `--expires` takes a date, an ISO timestamp or a duration (`90d`); past it the key gets 401.',
    examples: [
      ['A key for the "atlas" application', '$0 keys create --consumer=atlas'],
      ['A key that expires in 90 days', '$0 keys create --consumer=atlas --expires=90d'],
    ],
  });

  consumer = valueOption('--consumer', { placeholder: 'name', required: true, description: 'the consumer (application) name' });
  expires = valueOption('--expires', { placeholder: 'when', validator: isUntil(), description: 'when the key stops working: date, ISO timestamp or duration (90d)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const created = await client.admin.createKey.mutate({ consumer: this.consumer, expiresAt: this.expires === undefined ? undefined : resolveUntil(this.expires, this.now()) });
    if (this.json) return this.printJson(created);
    this.print(
      [
        `API key for consumer ${created.apiKey.consumerName ?? this.consumer} (id ${created.apiKey.id}):`,
        '',
        `  ${created.key}`,
        '',
        'Store it now: it is shown only this once.',
        ...(created.apiKey.expiresAt === null ? [] : [`It expires at ${created.apiKey.expiresAt}.`]),
      ].join('\n'),
    );
  }
}
