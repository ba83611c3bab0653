import { describe, expect, it } from 'vitest';
import { rememberPerKey } from './remember';

describe('rememberPerKey', () => {
  it('computes once per key, null answers included, and starts over past its bound', () => {
    const asked: string[] = [];
    const lookup = rememberPerKey((name: string) => {
      asked.push(name);
      return name === 'none' ? null : name.length;
    }, 2);
    expect([lookup('a100'), lookup('a100'), lookup('none'), lookup('none')]).toEqual([4, 4, null, null]);
    expect(asked).toEqual(['a100', 'none']);
    lookup('h100'); // a third key: the first two are forgotten
    lookup('a100');
    expect(asked).toEqual(['a100', 'none', 'h100', 'a100']);
  });
});
