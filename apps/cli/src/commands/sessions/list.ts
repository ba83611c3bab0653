// `gpu-shopper sessions`: the caller's live sessions (all of them with --all).
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatSessionList } from '../../format/sessions';

export class SessionsListCommand extends ShopperCommand {
  static override paths = [['sessions'], ['sessions', 'list']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'list sessions',
    examples: [
      ['Live sessions', '$0 sessions'],
      ['Every session, ended ones too, as JSON', '$0 sessions --all --json'],
    ],
  });

  all = Option.Boolean('--all', false, { description: 'include ended sessions' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const result = await client.sessions.list.query({ all: this.all || undefined });
    if (this.json) return this.printJson(result);
    this.print(formatSessionList(result.sessions, this.now(), this.all, this.tableStyle()));
  }
}
