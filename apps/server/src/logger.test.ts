import { describe, expect, it } from 'vitest';
import { consoleLogger, redact } from './logger';

describe('logger', () => {
  it('redacts API keys, node tokens, bearer headers and api_key parameters', () => {
    const text = redact('key gsa_abcdefghijklmnopqrstuvwxyz012345 node gsn_ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123 Authorization: Bearer secret-token url?api_key=vast123&x=1');
    expect(text).not.toMatch(/abcdefghijklmnop|ABCDEFGHIJKLMNOP|secret-token|vast123/);
    expect(text).toContain('Bearer [redacted]');
    expect(text).toContain('api_key=[redacted]');
  });

  it('writes one redacted line per message', () => {
    const lines: string[] = [];
    consoleLogger({ write: (line) => lines.push(line) }).warn('consumer key gsc_abcdefghijklmnopqrstuvwxyz012345 rejected');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/warn {2}consumer key \[redacted\] rejected\n$/);
  });
});
