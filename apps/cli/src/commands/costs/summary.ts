// `gpu-shopper costs`: spend per hour, day or month (or the total), for the caller or a consumer, as a
// table or a chart, broken down by provider or GPU; `--reconcile` compares the ledger with providers' bills.
import { Command, Option, UsageError } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { COST_GROUPINGS, COST_PERIODS } from '../../api-enums';
import { formatCostChart, formatCostGroups, formatCostSummary, formatReconciliation } from '../../format/costs';
import { isOneOf, valueOption } from '../../options';

export class CostsCommand extends ShopperCommand {
  static override paths = [['costs']];
  static override usage = Command.Usage({
    category: 'Costs',
    description: 'show costs per period',
    details: `
      \`--from\` and \`--to\` take a date (\`2026-11-01\`, UTC midnight) or an ISO timestamp. \`--chart\` draws the
      spend per period as bars fitted to the terminal. \`--reconcile\` (operators) shows, per session, the ledger
      against what the provider billed, flagging more than 1% drift.
    `,
    examples: [
      ['Daily costs', '$0 costs'],
      ['Monthly costs of one consumer (operators)', '$0 costs --consumer=atlas --period=month'],
      ['One week, per day, as JSON', '$0 costs --from=2026-11-01 --to=2026-11-08 --json'],
      ['Today per hour, as a chart', '$0 costs --period=hour --from=2026-11-01 --chart'],
      ['This month by provider', '$0 costs --period=month --group-by=provider'],
      ['Ledger versus provider bills (operators)', '$0 costs --reconcile'],
    ],
  });

  consumer = valueOption('--consumer', { placeholder: 'name', description: 'operators: one consumer (default: all)' });
  period = valueOption('--period', { placeholder: COST_PERIODS.join('|'), validator: isOneOf(COST_PERIODS), description: `${COST_PERIODS.join(', ')} (default day)` });
  from = valueOption('--from', { placeholder: 'date', description: 'start, a date or ISO timestamp' });
  to = valueOption('--to', { placeholder: 'date', description: 'end, a date or ISO timestamp' });
  groupBy = valueOption('--group-by', { placeholder: COST_GROUPINGS.join('|'), validator: isOneOf(COST_GROUPINGS), description: `break the total down by ${COST_GROUPINGS.join(', ')}` });
  reconcile = Option.Boolean('--reconcile', false, { description: 'operators: ledger versus provider billing, per session' });
  chart = Option.Boolean('--chart', false, { description: 'draw the spend per period as a bar chart' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    if (this.chart && this.json) throw new UsageError('--chart and --json cannot be used together');
    if (this.reconcile && (this.chart || this.groupBy !== undefined)) throw new UsageError('--reconcile shows no periods: leave out --chart and --group-by');
    const client = await this.client();
    if (this.reconcile) {
      const reconciliation = await client.costs.reconciliation.query({});
      if (this.json) return this.printJson(reconciliation);
      return this.print(formatReconciliation(reconciliation.results, this.tableStyle()));
    }
    const summary = await client.costs.summary.query({ consumer: this.consumer, period: this.period, from: this.from, to: this.to, group_by: this.groupBy });
    if (this.json) return this.printJson(summary);
    const groups = summary.groups ?? [];
    const view = await this.tableView(client, summary.groupBy === 'consumer' ? groups.map((group) => group.key) : []);
    const text = [this.chart ? formatCostChart(summary, this.context.columns ?? 80) : formatCostSummary(summary, view)];
    if (summary.groupBy !== undefined) text.push('', formatCostGroups(summary.groupBy, groups, view));
    this.print(text.join('\n'));
  }
}
