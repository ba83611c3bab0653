// `gpu-shopper orphans` (operators): provider instances found running without a live session.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatOrphanList } from '../../format/alerts';
import { isCount, isSince, resolveSince, valueOption } from '../../options';

export class OrphansCommand extends ShopperCommand {
  static override paths = [['orphans']];
  static override usage = Command.Usage({
    category: 'Operations (operators)',
    description: 'list orphaned instances detected (and destroyed)',
    details: '`--since` takes a date (`2026-11-01`), an ISO timestamp or an age (`30m`, `24h`, `7d`).',
    examples: [
      ['Orphans of the last day', '$0 orphans --since=24h'],
      ['As JSON', '$0 orphans --json'],
    ],
  });

  since = valueOption('--since', { placeholder: 'when', validator: isSince(), description: 'only those found since (date, timestamp or age)' });
  limit = valueOption('--limit', { placeholder: 'n', validator: isCount(), description: 'at most this many (default 100)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const result = await client.admin.orphans.query({ since: this.since === undefined ? undefined : resolveSince(this.since, this.now()), limit: this.limit });
    if (this.json) return this.printJson(result);
    this.print(formatOrphanList(result.orphans, this.tableStyle()));
  }
}
