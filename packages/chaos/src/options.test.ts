import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, OptionsError, parseChaosArgs } from './options';

function options(argv: string[]) {
  const parsed = parseChaosArgs(argv);
  if (parsed.help) throw new Error('expected options, got help');
  return parsed.options;
}

describe('chaos options', () => {
  it('defaults to 30 kills, every fault, 1 s ticks and 60-150 s lifetimes', () => {
    const parsed = options([]);
    expect(parsed).toMatchObject({ kills: 30, sessions: 45, faults: [...FAULT_KINDS], tickSeconds: 1, lifetimeSeconds: { min: 60, max: 150 }, json: false });
    expect(parsed.cliSessions).toBeGreaterThan(0);
    expect(parsed.durationSeconds).toBe(360);
  });

  it('reads every flag', () => {
    const parsed = options(['--kills', '3', '--sessions=6', '--cli-sessions', '2', '--faults', 'vanish,timeout', '--duration', '40', '--seed', '7', '--tick-seconds', '2', '--lifetime', '5-15', '--down', '1', '--strict', '--json', '--keep', '--verbose']);
    expect(parsed).toMatchObject({ kills: 3, sessions: 6, cliSessions: 2, faults: ['vanish', 'timeout'], durationSeconds: 40, seed: 7, tickSeconds: 2, lifetimeSeconds: { min: 5, max: 15 }, downSeconds: { min: 1, max: 1 }, strictInvariants: true, json: true, keep: true, verbose: true });
  });

  it('runs one server on SQLite with the budget check unless told otherwise', () => {
    expect(options([])).toMatchObject({ replicas: 1, database: 'sqlite', postgresUrl: null, budgetProvisions: 50, budgetFits: 1 });
    expect(options(['--replicas', '3', '--database', 'postgres', '--postgres-url', 'postgres://postgres@127.0.0.1:5432/postgres', '--budget-provisions', '20', '--budget-fits', '2'])).toMatchObject({
      replicas: 3,
      database: 'postgres',
      postgresUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
      budgetProvisions: 20,
      budgetFits: 2,
    });
    expect(options(['--budget-provisions', '0']).budgetProvisions).toBe(0);
  });

  it('accepts "none" and "all" for faults', () => {
    expect(options(['--faults', 'none']).faults).toEqual([]);
    expect(options(['--faults', 'all']).faults).toEqual([...FAULT_KINDS]);
  });

  it('answers --help', () => {
    expect(parseChaosArgs(['--help'])).toEqual({ help: true });
  });

  it.each([
    [['--kills', 'many'], /--kills: expected a whole number/],
    [['--faults', 'rate-limit,meteor'], /--faults: unknown meteor/],
    [['--lifetime', '60-10'], /--lifetime: expected "MIN-MAX"/],
    [['--sessions', '2', '--cli-sessions', '3'], /cannot exceed --sessions/],
    [['--tick-seconds', '0'], /--tick-seconds: expected a number of at least 1/],
    [['--unknown'], /Unknown option/],
    [['--replicas', '2'], /--replicas 2 needs --database postgres/],
    [['--replicas', '0'], /--replicas: expected a whole number of at least 1/],
    [['--database', 'mysql'], /--database: expected sqlite or postgres/],
    [['--postgres-url', 'postgres://x/y'], /--postgres-url needs --database postgres/],
    [['--database', 'postgres', '--postgres-url', 'mysql://x'], /--postgres-url: expected a postgres:\/\/ URL/],
    [['--budget-provisions', '5', '--budget-fits', '5'], /--budget-fits \(5\) must be below/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseChaosArgs(argv)).toThrow(OptionsError);
    expect(() => parseChaosArgs(argv)).toThrow(message);
  });
});
