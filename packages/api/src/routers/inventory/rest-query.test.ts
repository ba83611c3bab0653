import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../openapi';
import { REST_SEARCH_PARAMETERS, restQueryInput, restSearchFilter, searchQueryInput } from './rest-query';
import { searchInput } from './search';

describe('the inventory search read from a REST query string', () => {
  it('coerces numbers from their text and keeps every check', () => {
    expect(restSearchFilter({ gpu: '4090', max_price: '0.5', min_vram: '24', min_gpus: '2', limit: '7', sort: 'vram', provider: 'vastai' })).toEqual({
      gpu: '4090',
      maxPricePerHourUsd: 0.5,
      minVramGb: 24,
      minGpus: 2,
      limit: 7,
      sort: 'vram',
      provider: 'vastai',
      minReliability: undefined,
      region: undefined,
    });
    for (const query of [{ max_price: 'cheap' }, { max_price: '-1' }, { limit: '1.5' }, { limit: '0' }, { min_reliability: '2' }, { sort: 'cheapest' }, { provider: 'aws' }, { gpu: 'x'.repeat(65) }]) {
      expect(restSearchFilter(query), JSON.stringify(query)).toBeNull();
    }
  });

  it('drops empty values and refuses a parameter given twice, as trpc-to-openapi does', () => {
    expect(restQueryInput({ gpu: '', max_price: ['1'], region: ['a', 'b'] })).toEqual({ max_price: '1', region: ['a', 'b'] });
    expect(restSearchFilter({ gpu: '' })).toMatchObject({ gpu: undefined, limit: 50 });
    expect(restSearchFilter({ region: ['DE', 'US'] })).toBeNull();
  });

  it('refuses a parameter the OpenAPI document does not list, as the REST API does', async () => {
    const operation = (await openApiDocument()).paths?.['/inventory']?.get;
    const listed = (operation?.parameters ?? []).map((parameter) => ('name' in parameter ? parameter.name : null));
    expect(new Set(listed)).toEqual(REST_SEARCH_PARAMETERS);
    expect(restSearchFilter({ gpu: '4090', nonce: '1' })).toBeNull();
    expect(restSearchFilter({ gpu: '4090', debug: '' })).toBeNull();
  });

  it('leaves the procedure’s own schema uncoerced', () => {
    expect(searchQueryInput.safeParse({ max_price: '1' }).success).toBe(true);
    expect(searchInput.safeParse({ max_price: '1' }).success).toBe(false);
  });
});
