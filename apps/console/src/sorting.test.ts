import { describe, expect, it } from 'vitest';
import { sortRows } from './sorting';

describe('table sorting', () => {
  const rows = [
    { gpu: 'RTX 4090', price: 0.4 },
    { gpu: 'H100 SXM', price: null },
    { gpu: 'RTX 3090', price: 0.2 },
    { gpu: 'A100', price: 0.4 },
  ];

  it('sorts numbers both ways, keeping ties in their order and missing values last', () => {
    expect(sortRows(rows, (row) => row.price, 'ascending').map((row) => row.gpu)).toEqual(['RTX 3090', 'RTX 4090', 'A100', 'H100 SXM']);
    expect(sortRows(rows, (row) => row.price, 'descending').map((row) => row.gpu)).toEqual(['RTX 4090', 'A100', 'RTX 3090', 'H100 SXM']);
  });

  it('sorts text naturally ("RTX 3090" before "RTX 4090")', () => {
    expect(sortRows(rows, (row) => row.gpu, 'ascending').map((row) => row.gpu)).toEqual(['A100', 'H100 SXM', 'RTX 3090', 'RTX 4090']);
  });
});
