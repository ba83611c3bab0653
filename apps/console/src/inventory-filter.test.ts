import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER, searchInputOf } from './inventory-filter';

describe('inventory filter form', () => {
  it('sends only the filters filled in, as the API names and types them', () => {
    expect(searchInputOf(EMPTY_FILTER)).toEqual({ sort: 'price', limit: 50 });
    expect(
      searchInputOf({ gpu: ' 4090 ', minVram: '24', maxPrice: '0.5', provider: 'vastai', region: 'US', minReliability: '0.95', minGpus: '2', sort: 'vram', limit: '' }),
    ).toEqual({ gpu: '4090', min_vram: 24, max_price: 0.5, provider: 'vastai', region: 'US', min_reliability: 0.95, min_gpus: 2, sort: 'vram' });
  });

  it('leaves out a number it cannot read rather than send it', () => {
    expect(searchInputOf({ ...EMPTY_FILTER, maxPrice: 'abc', limit: '10' })).toEqual({ sort: 'price', limit: 10 });
  });
});
