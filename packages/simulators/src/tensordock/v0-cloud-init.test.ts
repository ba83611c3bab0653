// v0's cloud-init YAML text becomes the runcmd object the node runtime runs, escaped or not.
import { describe, expect, it } from 'vitest';
import { parseV0CloudInit, V0CloudInitError } from './v0-cloud-init';

describe('parseV0CloudInit', () => {
  it('reads runcmd items: plain, single- and double-quoted strings and flow lists; other keys are skipped', () => {
    const script = ['#cloud-config', 'packages:', '  - curl', 'runcmd:', '  - echo plain words', "  - 'it''s quoted'", '  - "tab\\there"', "  - [sh, -c, 'echo a, b']", 'write_files: []'].join('\n');
    expect(parseV0CloudInit(script)).toEqual({ runcmd: ['echo plain words', "it's quoted", 'tab\there', ['sh', '-c', 'echo a, b']] });
  });

  it('unescapes a script sent on one line with literal \\n (as dstack sent it), and keeps \\n inside a real multi-line script', () => {
    expect(parseV0CloudInit('runcmd:\\n  - echo one\\n  - echo two')).toEqual({ runcmd: ['echo one', 'echo two'] });
    expect(parseV0CloudInit("runcmd:\n  - printf 'a\\nb'")).toEqual({ runcmd: ["printf 'a\\nb'"] });
    expect(parseV0CloudInit('runcmd: [echo one, "echo two"]')).toEqual({ runcmd: ['echo one', 'echo two'] });
    expect(parseV0CloudInit('packages: [curl]')).toEqual({ runcmd: [] });
  });

  it('refuses what it cannot run faithfully: block scalars, nested lists, broken quotes', () => {
    for (const script of ['runcmd:\n  - |\n    echo multi', 'runcmd:\n  - [a, [b]]', 'runcmd:\n  - "open', "runcmd:\n  - 'open"]) {
      expect(() => parseV0CloudInit(script), script).toThrow(V0CloudInitError);
    }
  });
});
