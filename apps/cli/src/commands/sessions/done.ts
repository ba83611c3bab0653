// `gpu-shopper done <id>`: finish a session gracefully; the node is shut down (with --wait, until the
// provider confirms it).
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatSessionDetail } from '../../format/sessions';
import { isCount, valueOption } from '../../options';
import { DEFAULT_END_TIMEOUT_MINUTES, waitUntilEnded } from '../../session-end-wait';

export class SessionDoneCommand extends ShopperCommand {
  static override paths = [['done'], ['sessions', 'done']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'finish a session (the node is shut down)',
    details: `
      With \`--preserve-storage\` the instance is stopped and its disk kept — it keeps costing storage.
      \`--wait\` polls until the provider confirms the instance gone (or stopped), showing what is happening.
    `,
    examples: [
      ['Finish a session', '$0 done ses_abc123'],
      ['Finish it and wait until the instance is gone', '$0 done ses_abc123 --wait'],
      ['Finish it but keep the disk', '$0 done ses_abc123 --preserve-storage'],
    ],
  });

  id = Option.String({ name: 'id' });
  preserveStorage = Option.Boolean('--preserve-storage', false, { description: 'stop the instance and keep its disk' });
  wait = Option.Boolean('--wait', false, { description: 'wait until the instance is gone (or stopped, its disk kept), showing progress' });
  timeout = valueOption('--timeout', { placeholder: 'minutes', validator: isCount(), description: `with --wait: give up after this many minutes (default ${DEFAULT_END_TIMEOUT_MINUTES})` });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const session = await client.sessions.done.mutate({ id: this.id, storage: this.preserveStorage ? 'preserve' : 'destroy' });
    const ended = this.wait ? await waitUntilEnded({ client, id: this.id, timeoutMinutes: this.timeout, pollIntervalMs: this.context.pollIntervalMs, tty: this.isTTY('stderr'), write: (text) => this.context.stderr.write(text), now: () => this.now().getTime() }) : session;
    if (this.json) return this.printJson(ended);
    this.print(formatSessionDetail(ended, this.now()));
  }
}
