// `gpu-shopper overrides` (operators): requests to run sessions past 12 hours; pending ones unless --all.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatOverrideList } from '../../format/overrides';

export class OverridesListCommand extends ShopperCommand {
  static override paths = [['overrides'], ['overrides', 'list']];
  static override usage = Command.Usage({
    category: 'Overrides (operators)',
    description: 'list reservation override requests',
    examples: [
      ['Pending requests', '$0 overrides'],
      ['Decided ones too, as JSON', '$0 overrides --all --json'],
    ],
  });

  all = Option.Boolean('--all', false, { description: 'include approved and denied requests' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const result = await client.overrides.list.query(this.all ? {} : { status: 'pending' });
    if (this.json) return this.printJson(result);
    this.print(formatOverrideList(result.overrides, this.all, await this.tableView(client, result.overrides.map((request) => request.consumerId))));
  }
}
