import { describe, expect, it } from 'vitest';
import { OfferSchema, sortMenu, type Offer } from '@gpu-shopper/domain';
import { makeOffer } from '../test-support/offers';
import { joinJson, layOutJson, menuJson, menuTail } from './offer-json';

const PROVIDERS = Buffer.from('[{"provider":"vastai"}]');
const TAIL = menuTail(PROVIDERS);
const written = (...args: Parameters<typeof menuJson>) => joinJson(menuJson(...args)).toString();

function expected(offers: readonly Offer[]): string {
  return JSON.stringify({ offers: offers.map((offer) => OfferSchema.parse(offer)), providers: JSON.parse(PROVIDERS.toString()) as unknown });
}

describe('the menu written from laid-out offer JSON', () => {
  const offers = Array.from({ length: 40 }, (_, index) =>
    makeOffer({ id: `vastai:${index}`, gpuModel: ['RTX 4090', 'H100 SXM', 'L40S'][index % 3]!, pricePerHourUsd: 0.2 + index / 100, region: index % 4 === 0 ? 'Bavaria' : 'Texas' }),
  );
  const menu = sortMenu(offers);

  it('writes every selection exactly as offer by offer, whether it takes neighbours or skips', () => {
    const byModel = layOutJson(menu.byModel.values());
    const inOrder = layOutJson([menu.offers]);
    let seed = 7;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const group = menu.byModel.get('RTX 4090')!;
    const selections: Offer[][] = [
      [],
      [...group],
      group.slice(2, 9),
      [group[0]!, group[2]!, group[3]!, group[7]!],
      [...menu.offers],
      // Across groups and lists, out of any one list's order.
      [menu.byModel.get('L40S')![1]!, group[0]!, group[1]!, menu.offers[0]!],
    ];
    for (let round = 0; round < 30; round += 1) selections.push(menu.offers.filter(() => random() < 0.6));
    for (const selection of selections) {
      const text = expected(selection);
      expect(written(selection, TAIL)).toBe(text);
      expect(written(selection, TAIL, byModel)).toBe(text);
      expect(written(selection, TAIL, inOrder)).toBe(text);
    }
  });

  it('leaves out of the layout an offer the API could not describe, which still fails when selected', () => {
    const broken = makeOffer({ id: 'vastai:broken', pricePerHourUsd: -1 });
    const views = layOutJson([[offers[0]!, broken, offers[1]!]]);
    expect(views.has(broken)).toBe(false);
    expect(written([offers[0]!, offers[1]!], TAIL, views)).toBe(expected([offers[0]!, offers[1]!]));
    expect(() => menuJson([offers[0]!, broken], TAIL, views)).toThrow(/pricePerHourUsd/);
  });
});
