// `gpu-shopper budgets list`: the caller's budgets (operators: all of them).
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { formatBudgetList } from '../../format/budgets';

export class BudgetsListCommand extends ShopperCommand {
  static override paths = [['budgets', 'list'], ['budgets']];
  static override usage = Command.Usage({
    category: 'Budgets',
    description: 'list budgets',
    examples: [
      ['List budgets', '$0 budgets list'],
      ['As JSON', '$0 budgets list --json'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const result = await client.budgets.list.query({});
    if (this.json) return this.printJson(result);
    this.print(formatBudgetList(result.budgets, await this.tableView(client, result.budgets.map((budget) => budget.consumerId))));
  }
}
