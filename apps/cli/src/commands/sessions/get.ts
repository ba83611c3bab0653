// `gpu-shopper session <id>`: one session, its reservation, time left and history.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatSessionDetail } from '../../format/sessions';

export class SessionGetCommand extends ShopperCommand {
  static override paths = [['session'], ['sessions', 'get']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'show a session and its history',
    examples: [
      ['Show a session', '$0 session ses_abc123'],
      ['As JSON', '$0 session ses_abc123 --json'],
    ],
  });

  id = Option.String({ name: 'id' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const session = await client.sessions.get.query({ id: this.id });
    if (this.json) return this.printJson(session);
    this.print(formatSessionDetail(session, this.now()));
  }
}
