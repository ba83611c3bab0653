// `gpu-shopper shutdown <id>`: force a session down now (operators: any session).
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatSessionDetail } from '../../format/sessions';

export class SessionShutdownCommand extends ShopperCommand {
  static override paths = [['shutdown'], ['sessions', 'shutdown']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'force a session to shut down',
    examples: [['Shut a session down', '$0 shutdown ses_abc123']],
  });

  id = Option.String({ name: 'id' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const session = await client.sessions.shutdown.mutate({ id: this.id });
    if (this.json) return this.printJson(session);
    this.print(formatSessionDetail(session, this.now()));
  }
}
