// "Did you mean": edit distance, and the nearest known word only when it is a plausible typo.
import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './suggest';

describe('suggestions', () => {
  it('counts edits, a swap of neighbours as one', () => {
    expect([editDistance('', 'abc'), editDistance('kitten', 'sitting'), editDistance('invetnory', 'inventory'), editDistance('same', 'same')]).toEqual([3, 3, 1, 0]);
  });

  it('picks the nearest near-enough candidate, an abbreviation by prefix, or none', () => {
    const commands = ['inventory', 'provision', 'sessions', 'session', 'done', 'extend'];
    expect(closest('invetory', commands)).toBe('inventory');
    expect(closest('provison', commands)).toBe('provision');
    expect(closest('inv', commands)).toBe('inventory');
    expect(closest('sesions', commands)).toBe('sessions');
    expect(closest('Done', commands)).toBe('done');
    expect(closest('frobnicate', commands)).toBeNull();
    expect(closest('do', ['done', 'deny'])).toBeNull();
  });
});
