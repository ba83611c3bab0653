// `gpu-shopper audit` (operators): who did what and when — keys, budgets, overrides, forced
// shutdowns, provider keys — newest first, a page at a time.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { AUDIT_ACTIONS } from '../../api-enums';
import { formatAuditList } from '../../format/audit';
import { isCount, isOneOf, isSince, resolveSince, valueOption } from '../../options';

export class AuditCommand extends ShopperCommand {
  static override paths = [['audit']];
  static override usage = Command.Usage({
    category: 'Operations (operators)',
    description: 'list the audit log of operator actions, newest first',
    details: `
      Actions: ${AUDIT_ACTIONS.join(', ')}. \`--since\` and \`--until\` take a date, an ISO timestamp or
      an age (\`24h\`, \`7d\`). A full page ends with the \`--cursor\` that reads the next (older) one.
    `,
    examples: [
      ['The latest entries', '$0 audit'],
      ['Keys revoked in the last week, as JSON', '$0 audit --action=key.revoked --since=7d --json'],
      ['The next page', '$0 audit --cursor=120'],
    ],
  });

  action = valueOption('--action', { placeholder: 'action', values: AUDIT_ACTIONS, validator: isOneOf(AUDIT_ACTIONS), description: 'only this action' });
  since = valueOption('--since', { placeholder: 'when', validator: isSince(), description: 'only entries at or after this (date, timestamp or age)' });
  until = valueOption('--until', { placeholder: 'when', validator: isSince(), description: 'only entries before this (date, timestamp or age)' });
  limit = valueOption('--limit', { placeholder: 'n', validator: isCount(), description: 'page size (default 100, at most 500)' });
  cursor = valueOption('--cursor', { placeholder: 'n', validator: isCount(), description: 'the page after this cursor (printed under a full page)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const now = this.now();
    const result = await client.audit.list.query({
      action: this.action,
      since: this.since === undefined ? undefined : resolveSince(this.since, now),
      until: this.until === undefined ? undefined : resolveSince(this.until, now),
      limit: this.limit,
      cursor: this.cursor,
    });
    if (this.json) return this.printJson(result);
    this.print(formatAuditList(result.events, result.nextCursor, this.tableStyle()));
  }
}
