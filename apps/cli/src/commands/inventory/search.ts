// `gpu-shopper inventory`: the menu of GPU offers across providers, filtered by the server.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { OFFER_SORTS, PROVIDERS } from '../../api-enums';
import { formatMenu } from '../../format/offers';
import { isCount, isNumber, isOneOf } from '../../options';

export class InventoryCommand extends ShopperCommand {
  static override paths = [['inventory'], ['inventory', 'search']];
  static override usage = Command.Usage({
    category: 'Inventory',
    description: 'search GPU offers across providers',
    details: `
      Prices are all-in (compute plus storage), in USD per hour. \`--gpu=4090\` matches "RTX 4090".
      A note follows the table when a provider's offers are stale or missing.
    `,
    examples: [
      ['Cheap RTX 4090s', '$0 inventory --gpu=4090 --max-price=0.50'],
      ['48 GB or more, most reliable first', '$0 inventory --min-vram=48 --sort=reliability'],
      ['Two or more GPUs in the US, as JSON', '$0 inventory --min-gpus=2 --region=US --json'],
    ],
  });

  gpu = Option.String('--gpu', { description: 'GPU model, matched loosely ("4090")' });
  maxPrice = Option.String('--max-price', { validator: isNumber(), description: 'highest all-in price, USD per hour' });
  minVram = Option.String('--min-vram', { validator: isNumber(), description: 'least VRAM per GPU, GB' });
  provider = Option.String('--provider', { validator: isOneOf(PROVIDERS), description: `only this provider (${PROVIDERS.join(', ')})` });
  region = Option.String('--region', { description: 'country code or part of a region name' });
  minReliability = Option.String('--min-reliability', { validator: isNumber(), description: 'least host reliability, 0-1 (e.g. 0.95)' });
  minGpus = Option.String('--min-gpus', { validator: isCount(), description: 'least GPUs per offer' });
  sort = Option.String('--sort', { validator: isOneOf(OFFER_SORTS), description: `${OFFER_SORTS.join(', ')} (default price)` });
  limit = Option.String('--limit', { validator: isCount(), description: 'at most this many offers (default 50)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const menu = await client.inventory.search.query({
      gpu: this.gpu,
      max_price: this.maxPrice,
      min_vram: this.minVram,
      provider: this.provider,
      region: this.region,
      min_reliability: this.minReliability,
      min_gpus: this.minGpus,
      sort: this.sort,
      limit: this.limit,
    });
    if (this.json) return this.printJson(menu);
    this.print(formatMenu(menu));
  }
}
