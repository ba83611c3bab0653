// `gpu-shopper extend <id> --hours=N`: more reservation hours, within the 12-hour maximum.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatSessionDetail } from '../../format/sessions';
import { isCount } from '../../options';

export class SessionExtendCommand extends ShopperCommand {
  static override paths = [['extend'], ['sessions', 'extend']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'extend a reservation',
    examples: [['Two more hours', '$0 extend ses_abc123 --hours=2']],
  });

  id = Option.String({ name: 'id' });
  hours = Option.String('--hours', { required: true, validator: isCount(), description: 'hours to add (1-12 in all)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const session = await client.sessions.extend.mutate({ id: this.id, hours: this.hours });
    if (this.json) return this.printJson(session);
    this.print(formatSessionDetail(session, this.now()));
  }
}
