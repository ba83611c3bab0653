import { describe, expect, it } from 'vitest';
import { renderTable } from './table';

describe('renderTable', () => {
  const columns = [
    { header: 'NAME', value: (row: { name: string; count: number | null; price: string }) => row.name },
    { header: 'COUNT', value: (row: { count: number | null }) => row.count },
    { header: '$/H', value: (row: { price: string }) => row.price, align: 'right' as const },
  ];

  it('pads columns, right-aligns numbers and shows "-" for missing values', () => {
    const text = renderTable(columns, [
      { name: 'alpha', count: 5, price: '0.400' },
      { name: 'b', count: null, price: '12.000' },
    ]);
    expect(text.split('\n')).toEqual(['NAME   COUNT     $/H', 'alpha      5   0.400', 'b          -  12.000']);
  });

  it('keeps a column with no values at all left-aligned', () => {
    const text = renderTable([{ header: 'ID', value: (row: { id: string }) => row.id }, { header: 'REVOKED', value: () => null }], [{ id: 'key_1' }]);
    expect(text.split('\n')).toEqual(['ID     REVOKED', 'key_1  -']);
  });

  it('prints only the header for no rows', () => {
    expect(renderTable(columns, [])).toBe('NAME  COUNT  $/H');
  });
});
