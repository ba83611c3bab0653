// `gpu-shopper done <id>`: finish a session gracefully; the node is shut down.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatSessionDetail } from '../../format/sessions';

export class SessionDoneCommand extends ShopperCommand {
  static override paths = [['done'], ['sessions', 'done']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'finish a session (the node is shut down)',
    details: 'With `--preserve-storage` the instance is stopped and its disk kept — it keeps costing storage.',
    examples: [
      ['Finish a session', '$0 done ses_abc123'],
      ['Finish it but keep the disk', '$0 done ses_abc123 --preserve-storage'],
    ],
  });

  id = Option.String({ name: 'id' });
  preserveStorage = Option.Boolean('--preserve-storage', false, { description: 'stop the instance and keep its disk' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const session = await client.sessions.done.mutate({ id: this.id, storage: this.preserveStorage ? 'preserve' : 'destroy' });
    if (this.json) return this.printJson(session);
    this.print(formatSessionDetail(session, this.now()));
  }
}
