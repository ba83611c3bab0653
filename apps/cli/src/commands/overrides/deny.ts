// `gpu-shopper deny <request-id>` (operators): the session keeps its current end.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';

export class OverrideDenyCommand extends ShopperCommand {
  static override paths = [['deny'], ['overrides', 'deny']];
  static override usage = Command.Usage({
    category: 'Overrides (operators)',
    description: 'deny a reservation override request',
    examples: [['Deny a request', '$0 deny ovr_abc123']],
  });

  id = Option.String({ name: 'request-id' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const request = await client.overrides.deny.mutate({ id: this.id });
    if (this.json) return this.printJson(request);
    this.print(`denied ${request.id}: session ${request.sessionId} keeps its current end`);
  }
}
