// `gpu-shopper extend <id> --hours=N`: more reservation hours. Past the 12-hour maximum a consumer's
// extension files an override request; an operator's is confirmed (y/N) and approved at once.
import { Command, Option, UsageError } from '../../clipanion';
import type { SessionDetail, ShopperClient } from '@gpu-shopper/sdk';
import { ShopperCommand } from '../../base-command';
import { CommandFailure } from '../../errors';
import { formatSessionDetail } from '../../format/sessions';
import { instant } from '../../format/values';
import { isExtensionHours, valueOption } from '../../options';
import { isYes, readLine } from '../../prompt';

const MS_PER_HOUR = 3_600_000;

export class SessionExtendCommand extends ShopperCommand {
  static override paths = [['extend'], ['sessions', 'extend']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'extend a reservation',
    details: `
      Within 12 hours from the start the reservation is extended at once. Beyond that a consumer's request
      waits for an operator's approval (\`gpu-shopper overrides\`). An operator extending past 12 hours is asked
      to confirm (y/N) and the extension is approved at once; \`--yes\` skips the question (needed when stdin
      is not a terminal).
    `,
    examples: [
      ['Two more hours', '$0 extend ses_abc123 --hours=2'],
      ['Operators: past 12 hours, no question asked', '$0 extend ses_abc123 --hours=6 --yes'],
    ],
  });

  id = Option.String({ name: 'id' });
  hours = valueOption('--hours', { placeholder: 'n', required: true, validator: isExtensionHours(), description: 'hours to add (1-12 at a time)' });
  yes = Option.Boolean('--yes', false, { description: 'operators: do not ask before extending past 12 hours' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<number | void> {
    const client = await this.client();
    const [me, before] = await Promise.all([this.whoami(client), client.sessions.get.query({ id: this.id })]);
    if (me.role === 'admin' && this.pastMaximum(before)) return this.extendAsOperator(client, before);

    const known = new Set(before.overrideRequests.map((request) => request.id));
    const session = await client.sessions.extend.mutate({ id: this.id, hours: this.hours });
    const filed = session.overrideRequests.find((request) => request.status === 'pending' && !known.has(request.id));
    if (this.json) return this.printJson(session);
    if (filed !== undefined) {
      this.print(`extension beyond 12 h needs an operator's approval: request ${filed.id} is pending (to ${instant(filed.requestedEndsAt)})`);
      return;
    }
    this.print(formatSessionDetail(session, this.now()));
  }

  private newEnd(session: SessionDetail): Date {
    return new Date(new Date(session.reservation.endsAt).getTime() + this.hours * MS_PER_HOUR);
  }

  private pastMaximum(session: SessionDetail): boolean {
    return this.newEnd(session).getTime() > new Date(session.reservation.hardMaxEndsAt).getTime();
  }

  private async extendAsOperator(client: ShopperClient, before: SessionDetail): Promise<number | void> {
    const pending = before.overrideRequests.find((request) => request.status === 'pending');
    if (pending !== undefined) throw new CommandFailure(`session ${this.id} already has a pending request ${pending.id} (to ${instant(pending.requestedEndsAt)}): approve it with "gpu-shopper approve ${pending.id}"`);
    const end = instant(this.newEnd(before).toISOString());
    if (!this.yes) {
      if (!this.isTTY('stdin')) throw new UsageError(`extending session ${this.id} past 12 h needs confirmation: run it in a terminal or pass --yes`);
      this.context.stderr.write(`Extend session ${this.id} past 12 h to ${end}? (y/N) `);
      if (!isYes(await readLine(this.context.stdin))) {
        this.note(`Not extended: session ${this.id} still ends ${instant(before.reservation.endsAt)}.`);
        return 1;
      }
    }
    const known = new Set(before.overrideRequests.map((request) => request.id));
    const extended = await client.sessions.extend.mutate({ id: this.id, hours: this.hours });
    const filed = extended.overrideRequests.find((request) => request.status === 'pending' && !known.has(request.id));
    if (filed !== undefined) await client.overrides.approve.mutate({ id: filed.id });
    const session = filed === undefined ? extended : await client.sessions.get.query({ id: this.id });
    if (this.json) return this.printJson(session);
    this.print(`${filed === undefined ? '' : `Approved ${filed.id}: `}session ${this.id} now ends ${instant(session.reservation.endsAt)}.\n\n${formatSessionDetail(session, this.now())}`);
  }
}
