// `gpu-shopper budgets delete <id>`
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';

export class BudgetsDeleteCommand extends ShopperCommand {
  static override paths = [['budgets', 'delete']];
  static override usage = Command.Usage({
    category: 'Budgets',
    description: 'delete a budget',
    examples: [['Delete a budget', '$0 budgets delete bud_abc123']],
  });

  id = Option.String({ name: 'id' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const budget = await client.budgets.delete.mutate({ id: this.id });
    if (this.json) return this.printJson(budget);
    this.print(`deleted budget ${budget.id}`);
  }
}
