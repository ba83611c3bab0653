// `gpu-shopper approve <request-id>` (operators): the session may run until the requested end.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { instant } from '../../format/values';

export class OverrideApproveCommand extends ShopperCommand {
  static override paths = [['approve'], ['overrides', 'approve']];
  static override usage = Command.Usage({
    category: 'Overrides (operators)',
    description: 'approve a reservation past 12 hours',
    examples: [['Approve a request', '$0 approve ovr_abc123']],
  });

  id = Option.String({ name: 'request-id' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const request = await client.overrides.approve.mutate({ id: this.id });
    if (this.json) return this.printJson(request);
    this.print(`approved ${request.id}: session ${request.sessionId} may run until ${instant(request.requestedEndsAt)}`);
  }
}
