// `gpu-shopper shutdown <id>`: force a session down now (operators: any session); with --wait, until
// the provider confirms the instance gone.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatSessionDetail } from '../../format/sessions';
import { isCount, valueOption } from '../../options';
import { DEFAULT_END_TIMEOUT_MINUTES, waitUntilEnded } from '../../session-end-wait';

export class SessionShutdownCommand extends ShopperCommand {
  static override paths = [['shutdown'], ['sessions', 'shutdown']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'force a session to shut down',
    details: '`--wait` polls until the provider confirms the instance gone, showing what is happening.',
    examples: [
      ['Shut a session down', '$0 shutdown ses_abc123'],
      ['Shut it down and wait until the instance is gone, at most 5 minutes', '$0 shutdown ses_abc123 --wait --timeout=5'],
    ],
  });

  id = Option.String({ name: 'id' });
  wait = Option.Boolean('--wait', false, { description: 'wait until the instance is gone (or stopped, its disk kept), showing progress' });
  timeout = valueOption('--timeout', { placeholder: 'minutes', validator: isCount(), description: `with --wait: give up after this many minutes (default ${DEFAULT_END_TIMEOUT_MINUTES})` });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const session = await client.sessions.shutdown.mutate({ id: this.id });
    const ended = this.wait ? await waitUntilEnded({ client, id: this.id, timeoutMinutes: this.timeout, pollIntervalMs: this.context.pollIntervalMs, tty: this.isTTY('stderr'), write: (text) => this.context.stderr.write(text), now: () => this.now().getTime() }) : session;
    if (this.json) return this.printJson(ended);
    this.print(formatSessionDetail(ended, this.now()));
  }
}
