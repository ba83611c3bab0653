// `gpu-shopper keys create --consumer <name>` (operators): a consumer API key, shown this once.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';

export class KeysCreateCommand extends ShopperCommand {
  static override paths = [['keys', 'create']];
  static override usage = Command.Usage({
    category: 'API keys (operators)',
    description: 'create an API key for a consumer',
    details: 'The key is printed once and never again: the server stores only its hash.',
    examples: [['A key for the "atlas" application', '$0 keys create --consumer=atlas']],
  });

  consumer = Option.String('--consumer', { required: true, description: 'the consumer (application) name' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const created = await client.admin.createKey.mutate({ consumer: this.consumer });
    if (this.json) return this.printJson(created);
    this.print(
      [
        `API key for consumer ${created.apiKey.consumerName ?? this.consumer} (id ${created.apiKey.id}):`,
        '',
        `  ${created.key}`,
        '',
        'Store it now: it is shown only this once.',
      ].join('\n'),
    );
  }
}
