// `gpu-shopper costs`: spend per hour, day or month (or the total), for the caller or a consumer.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { COST_PERIODS } from '../../api-enums';
import { formatCostSummary } from '../../format/costs';
import { isOneOf } from '../../options';

export class CostsCommand extends ShopperCommand {
  static override paths = [['costs']];
  static override usage = Command.Usage({
    category: 'Costs',
    description: 'show costs per period',
    details: '`--from` and `--to` take a date (`2026-11-01`, UTC midnight) or an ISO timestamp.',
    examples: [
      ['Daily costs', '$0 costs'],
      ['Monthly costs of one consumer (operators)', '$0 costs --consumer=atlas --period=month'],
      ['One week, per day, as JSON', '$0 costs --from=2026-11-01 --to=2026-11-08 --json'],
    ],
  });

  consumer = Option.String('--consumer', { description: 'operators: one consumer (default: all)' });
  period = Option.String('--period', { validator: isOneOf(COST_PERIODS), description: `${COST_PERIODS.join(', ')} (default day)` });
  from = Option.String('--from', { description: 'start, a date or ISO timestamp' });
  to = Option.String('--to', { description: 'end, a date or ISO timestamp' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const summary = await client.costs.summary.query({ consumer: this.consumer, period: this.period, from: this.from, to: this.to });
    if (this.json) return this.printJson(summary);
    this.print(formatCostSummary(summary));
  }
}
