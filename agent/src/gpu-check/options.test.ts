import { describe, expect, it } from 'vitest';
import { DEFAULT_LOAD_SECONDS, parseGpuCheckArgs, UsageError } from './options';

describe('parseGpuCheckArgs', () => {
  it('has defaults', () => {
    expect(parseGpuCheckArgs([])).toEqual({ jsonPath: null, keepWorkspace: false, skipLlm: false, loadSeconds: DEFAULT_LOAD_SECONDS, help: false });
  });

  it('reads every option', () => {
    expect(parseGpuCheckArgs(['--json', 'out.json', '--keep-workspace', '--skip-llm', '--load-seconds', '7.5'])).toEqual({
      jsonPath: 'out.json',
      keepWorkspace: true,
      skipLlm: true,
      loadSeconds: 7.5,
      help: false,
    });
    expect(parseGpuCheckArgs(['-h']).help).toBe(true);
  });

  it.each([
    [['--load-seconds', '0'], /--load-seconds must be/],
    [['--load-seconds', 'ten'], /got "ten"/],
    [['--load-seconds', '601'], /at most 600/],
    [['--json', ''], /--json needs a file path/],
    [['--json'], /--json/],
    [['--frobnicate'], /frobnicate/],
    [['extra'], /extra/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseGpuCheckArgs(argv)).toThrow(UsageError);
    expect(() => parseGpuCheckArgs(argv)).toThrow(message);
  });
});
