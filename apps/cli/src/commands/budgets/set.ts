// `gpu-shopper budgets set`: a spending limit with alert thresholds and an action at 100%; sets the
// one budget of its consumer (or the global one) and period, creating it or updating it.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { BUDGET_ACTIONS, BUDGET_PERIODS } from '../../api-enums';
import { formatBudgetList } from '../../format/budgets';
import { isNumber, isOneOf, isPercentList, parsePercentList, valueOption } from '../../options';

export class BudgetsSetCommand extends ShopperCommand {
  static override paths = [['budgets', 'set']];
  static override usage = Command.Usage({
    category: 'Budgets',
    description: 'set a budget (create it, or update the one for the same consumer and period)',
    details: `
      Alerts go to the webhook at each threshold (percent of the limit); at 100% the action applies:
      \`alert\` only alerts, \`block\` refuses new sessions, \`shutdown\` also stops running ones.
      Operators may set a budget for one consumer (\`--consumer\`) or, without it, for everyone.
      There is one budget per consumer and period: setting it again updates it, and options left out
      keep their values. A budget an operator set binds its consumer, whose key cannot change it.
    `,
    examples: [
      ['$100 a month, alerts at 50/80/100%', '$0 budgets set --limit=100 --period=month --thresholds=50,80,100 --webhook=https://hooks.example.com/gpu'],
      ['Stop everything of "atlas" past $20 a day', '$0 budgets set --consumer=atlas --limit=20 --period=day --action=shutdown'],
    ],
  });

  consumer = valueOption('--consumer', { placeholder: 'name', description: 'operators: the consumer (omit for a global budget)' });
  limit = valueOption('--limit', { placeholder: 'usd', required: true, validator: isNumber(), description: 'the limit, USD' });
  period = valueOption('--period', 'month', { placeholder: BUDGET_PERIODS.join('|'), validator: isOneOf(BUDGET_PERIODS), description: `${BUDGET_PERIODS.join(', ')} (default month)` });
  thresholds = valueOption('--thresholds', { placeholder: 'percents', validator: isPercentList(), description: 'alert thresholds, percent, e.g. 50,80,100' });
  webhook = valueOption('--webhook', { placeholder: 'url', description: 'URL that receives the alerts' });
  action = valueOption('--action', { placeholder: BUDGET_ACTIONS.join('|'), validator: isOneOf(BUDGET_ACTIONS), description: `at 100%: ${BUDGET_ACTIONS.join(', ')}` });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const budget = await client.budgets.create.mutate({
      consumer: this.consumer,
      limitUsd: this.limit,
      period: this.period,
      thresholdsPercent: this.thresholds === undefined ? undefined : parsePercentList(this.thresholds),
      webhookUrl: this.webhook,
      action: this.action,
    });
    if (this.json) return this.printJson(budget);
    this.print(`${budget.created ? 'created' : 'updated'} budget ${budget.id}\n${formatBudgetList([budget], await this.tableView(client, budget.consumerId === null ? [] : [budget.consumerId]))}`);
  }
}
