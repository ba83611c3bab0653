// `gpu-shopper alerts` (operators): what needs a look — orphans, lost heartbeats, stuck teardowns...
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { ALERT_KINDS } from '../../api-enums';
import { formatAlertList } from '../../format/alerts';
import { isCount, isOneOf, isSince, resolveSince, valueOption } from '../../options';

export class AlertsCommand extends ShopperCommand {
  static override paths = [['alerts']];
  static override usage = Command.Usage({
    category: 'Operations (operators)',
    description: 'list operator alerts, newest first',
    details: `Kinds: ${ALERT_KINDS.join(', ')}. \`--since\` takes a date, an ISO timestamp or an age (\`24h\`, \`7d\`).`,
    examples: [
      ['All recent alerts', '$0 alerts'],
      ['Lost heartbeats of the last week, as JSON', '$0 alerts --kind=heartbeat_lost --since=7d --json'],
    ],
  });

  kind = valueOption('--kind', { placeholder: 'kind', values: ALERT_KINDS, validator: isOneOf(ALERT_KINDS), description: 'only this kind' });
  since = valueOption('--since', { placeholder: 'when', validator: isSince(), description: 'only those raised since (date, timestamp or age)' });
  limit = valueOption('--limit', { placeholder: 'n', validator: isCount(), description: 'at most this many (default 100)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const result = await client.admin.alerts.query({ kind: this.kind, since: this.since === undefined ? undefined : resolveSince(this.since, this.now()), limit: this.limit });
    if (this.json) return this.printJson(result);
    this.print(formatAlertList(result.alerts, await this.tableView(client, result.alerts.map((alert) => alert.consumerId))));
  }
}
