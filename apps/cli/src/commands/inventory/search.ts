// `gpu-shopper inventory`: the menu of GPU offers across providers, filtered by the server, with how
// many matched and how many are shown.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { OFFER_SORTS, PROVIDERS } from '../../api-enums';
import { DEFAULT_OFFER_LIMIT, formatMenu, MAX_OFFER_LIMIT } from '../../format/offers';
import { isCount, isNumber, isOneOf, valueOption } from '../../options';

export class InventoryCommand extends ShopperCommand {
  static override paths = [['inventory'], ['inventory', 'search']];
  static override usage = Command.Usage({
    category: 'Inventory',
    description: 'search GPU offers across providers',
    details: `
      Prices are all-in (compute plus storage), in USD per hour. \`--gpu=4090\` matches "RTX 4090".
      A line under the table says how many offers match, or that more match than are shown (\`--limit\`).
      A note follows when a provider's offers are stale or missing.
    `,
    examples: [
      ['Cheap RTX 4090s', '$0 inventory --gpu=4090 --max-price=0.50'],
      ['48 GB or more, most reliable first', '$0 inventory --min-vram=48 --sort=reliability'],
      ['Two or more GPUs in the US, as JSON', '$0 inventory --min-gpus=2 --region=US --json'],
    ],
  });

  gpu = valueOption('--gpu', { placeholder: 'model', description: 'GPU model, matched loosely ("4090")' });
  maxPrice = valueOption('--max-price', { placeholder: 'usd', validator: isNumber(), description: 'highest all-in price, USD per hour' });
  minVram = valueOption('--min-vram', { placeholder: 'gb', validator: isNumber(), description: 'least VRAM per GPU, GB' });
  provider = valueOption('--provider', { placeholder: PROVIDERS.join('|'), validator: isOneOf(PROVIDERS), description: `only this provider (${PROVIDERS.join(', ')})` });
  region = valueOption('--region', { placeholder: 'region', description: 'country code or part of a region name' });
  minReliability = valueOption('--min-reliability', { placeholder: '0-1', validator: isNumber(), description: 'least host reliability, 0-1 (e.g. 0.95)' });
  minGpus = valueOption('--min-gpus', { placeholder: 'n', validator: isCount(), description: 'least GPUs per offer' });
  sort = valueOption('--sort', { placeholder: OFFER_SORTS.join('|'), validator: isOneOf(OFFER_SORTS), description: `${OFFER_SORTS.join(', ')} (default price)` });
  limit = valueOption('--limit', { placeholder: 'n', validator: isCount({ max: MAX_OFFER_LIMIT, hint: `one search returns at most ${MAX_OFFER_LIMIT}` }), description: `at most this many offers (default ${DEFAULT_OFFER_LIMIT}, at most ${MAX_OFFER_LIMIT})` });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const limit = this.limit ?? DEFAULT_OFFER_LIMIT;
    // The API counts no matches: for people, one offer more than shown says whether more match.
    const asked = this.json ? this.limit : Math.min(limit + 1, MAX_OFFER_LIMIT);
    const menu = await client.inventory.search.query({
      gpu: this.gpu,
      max_price: this.maxPrice,
      min_vram: this.minVram,
      provider: this.provider,
      region: this.region,
      min_reliability: this.minReliability,
      min_gpus: this.minGpus,
      sort: this.sort,
      limit: asked,
    });
    if (this.json) return this.printJson(menu);
    this.print(formatMenu(menu, this.tableStyle(), { limit, sort: this.sort }));
  }
}
