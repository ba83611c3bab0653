// The run's result: its figures, the goals they are held to, and the table (or JSON) printed.
import type { Anomaly } from './invariants';
import type { CostFigures } from './cost-check';
import type { DuplicateReport } from './idempotency';
import type { ChaosOptions, FaultKind } from './options';

export const GOALS = {
  orphans: 0,
  ghosts: 0,
  maxSessionCostError: 0.01,
  totalCostError: 0.005,
  duplicates: 0,
} as const;

export interface ChaosResult {
  parameters: Omit<ChaosOptions, 'json' | 'verbose' | 'keep'> & { graceMs: number };
  kills: number;
  restarts: number;
  serverDowntimeMs: number;
  /** The longest kill-to-announcement time (the server recovers before it announces). */
  longestRestartMs: number;
  sessions: { planned: number; created: number; viaCli: number; refused: number; refusals: string[]; endedByHarness: number };
  faultsInjected: Record<FaultKind, number>;
  faultInjectionFailures: string[];
  /** The figures held to the goals (see `parameters.strictInvariants` for what they excuse). */
  orphans: number;
  ghosts: number;
  /** Excusing server downtime only: provider outages count against the server. */
  strict: { orphans: number; ghosts: number };
  /** Orphans and ghosts past the grace. */
  anomalies: Anomaly[];
  /** Every mismatch seen, within the grace or not (the first 500): the evidence behind the figures. */
  mismatches: Anomaly[];
  mismatchesSeen: number;
  longestMismatchMs: number;
  lastMismatchToClearMs: number | null;
  samples: number;
  cost: CostFigures;
  duplicates: DuplicateReport;
  settled: boolean;
  settleMs: number;
  leftover: { liveSessions: string[]; liveInstances: string[] };
  durationMs: number;
  workDir: string | null;
  goals: GoalCheck[];
  passed: boolean;
}

export interface GoalCheck {
  name: string;
  value: string;
  target: string;
  met: boolean;
}

/** Each goal, met or not. A figure that could not be measured (no session to compare) is not met. */
export function checkGoals(result: Omit<ChaosResult, 'goals' | 'passed'>): GoalCheck[] {
  const { cost } = result;
  return [
    { name: 'orphans', value: String(result.orphans), target: `= ${GOALS.orphans}`, met: result.orphans <= GOALS.orphans },
    { name: 'ghosts', value: String(result.ghosts), target: `= ${GOALS.ghosts}`, met: result.ghosts <= GOALS.ghosts },
    {
      name: 'max per-session cost error',
      value: cost.maxRelativeError === null ? 'no session to compare' : percent(cost.maxRelativeError),
      target: `<= ${percent(GOALS.maxSessionCostError)}`,
      met: cost.maxRelativeError !== null && cost.maxRelativeError <= GOALS.maxSessionCostError && cost.unpriced.length === 0,
    },
    {
      name: 'total cost error',
      value: cost.totalRelativeError === null ? 'nothing billed' : percent(cost.totalRelativeError),
      target: `<= ${percent(GOALS.totalCostError)}`,
      met: cost.totalRelativeError !== null && cost.totalRelativeError <= GOALS.totalCostError,
    },
    { name: 'duplicate sessions', value: String(result.duplicates.duplicates), target: `= ${GOALS.duplicates}`, met: result.duplicates.duplicates <= GOALS.duplicates },
    {
      name: 'settled',
      value: result.settled ? `yes, in ${seconds(result.settleMs)}` : `no: ${result.leftover.liveSessions.length} live sessions, ${result.leftover.liveInstances.length} live instances`,
      target: 'yes',
      met: result.settled,
    },
  ];
}

export function finishResult(partial: Omit<ChaosResult, 'goals' | 'passed'>): ChaosResult {
  const goals = checkGoals(partial);
  return { ...partial, goals, passed: goals.every((goal) => goal.met) };
}

export function renderTable(result: ChaosResult): string {
  const p = result.parameters;
  const rows: [string, string][] = [
    ['kills (SIGKILL + restart)', `${result.kills} (server down ${seconds(result.serverDowntimeMs)} in all, longest restart ${seconds(result.longestRestartMs)})`],
    ['sessions', `${result.sessions.created} created of ${result.sessions.planned} (${result.sessions.viaCli} via CLI, ${result.sessions.refused} refused)`],
    ['idempotent replays', String(result.duplicates.replays)],
    ['faults injected', Object.entries(result.faultsInjected).map(([kind, count]) => `${kind} ${count}`).join(', ')],
    ['orphans', `${result.orphans}${p.strictInvariants ? ' (strict)' : ` (${result.strict.orphans} if provider outages are not excused)`}`],
    ['ghosts', `${result.ghosts}${p.strictInvariants ? ' (strict)' : ` (${result.strict.ghosts} if provider outages are not excused)`}`],
    ['mismatches seen / past the grace', `${result.mismatchesSeen} / ${result.anomalies.length}, longest ${seconds(result.longestMismatchMs)}`],
    ['last orphan/ghost cleared after', result.lastMismatchToClearMs === null ? 'none seen' : seconds(result.lastMismatchToClearMs)],
    ['per-session cost error max', optionalPercent(result.cost.maxRelativeError)],
    ['per-session cost error median', optionalPercent(result.cost.medianRelativeError)],
    ['sessions compared / skipped', `${result.cost.compared} / ${result.cost.skipped} (billed < $${result.cost.minBilledUsd})${result.cost.unpriced.length > 0 ? `, ${result.cost.unpriced.length} unpriced` : ''}`],
    ['total cost (ours / billed)', `$${result.cost.oursTotalUsd.toFixed(6)} / $${result.cost.billedTotalUsd.toFixed(6)}: error ${optionalPercent(result.cost.totalRelativeError)}`],
    ['unattributed provider billing', `$${result.cost.unattributedBilledUsd.toFixed(6)} (${result.cost.unattributedInstances.length} instances)`],
    ['duplicate sessions', `${result.duplicates.duplicates}${result.duplicates.unclaimedSessions.length > 0 ? ` (${result.duplicates.unclaimedSessions.length} unclaimed)` : ''}`],
    ['settle', result.settled ? `settled in ${seconds(result.settleMs)}` : `NOT settled after ${seconds(result.settleMs)}`],
    ['run time', seconds(result.durationMs)],
  ];
  const parameters = `seed ${p.seed}, kills ${p.kills}, sessions ${p.sessions} (${p.cliSessions} CLI), duration ${p.durationSeconds} s, tick ${p.tickSeconds} s, lifetime ${range(p.lifetimeSeconds)} s, down ${range(p.downSeconds)} s, faults ${p.faults.join(',') || 'none'} (${range(p.faultSeconds)} s each), grace ${seconds(p.graceMs)}, replays/kill ${p.replaysPerKill}`;
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = ['Chaos run', `  ${parameters}`, '', ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`), '', 'Goals'];
  const goalWidth = Math.max(...result.goals.map((goal) => goal.name.length));
  const valueWidth = Math.max(...result.goals.map((goal) => goal.value.length));
  for (const goal of result.goals) lines.push(`  ${goal.met ? 'ok  ' : 'MISS'}  ${goal.name.padEnd(goalWidth)}  ${goal.value.padEnd(valueWidth)}  (goal ${goal.target})`);
  const worst = result.cost.sessions.filter((session) => session.relativeError !== null && session.relativeError > GOALS.maxSessionCostError).slice(0, 10);
  if (worst.length > 0) {
    lines.push('', 'Sessions over the per-session cost goal (worst first)');
    for (const session of worst) {
      const down = session.serverDownMs === undefined ? '' : `, server down ${seconds(session.serverDownMs)} of its life`;
      lines.push(`  ${session.sessionId}  ours $${session.oursUsd.toFixed(6)}  billed $${session.billedUsd.toFixed(6)} (${session.instances} instance${session.instances === 1 ? '' : 's'})  error ${percent(session.relativeError!)}${down}`);
    }
  }
  if (result.anomalies.length > 0) {
    lines.push('', 'Orphans and ghosts past the grace (first 10)');
    for (const anomaly of result.anomalies.slice(0, 10)) {
      const lasted = anomaly.clearedMs === null ? 'never cleared' : `cleared after ${seconds(anomaly.clearedMs - anomaly.firstSeenMs)}`;
      lines.push(`  ${anomaly.kind.padEnd(6)}  ${anomaly.provider}:${anomaly.instanceId}  session ${anomaly.sessionId ?? '-'} (${anomaly.detail})  ${lasted}, ${seconds(p.strictInvariants ? anomaly.strictChargeableMs : anomaly.chargeableMs)} of it not excused`);
    }
  }
  if (result.duplicates.keysWithSeveralSessions.length > 0 || result.duplicates.unclaimedSessions.length > 0) {
    lines.push('', 'Duplicates');
    for (const entry of result.duplicates.keysWithSeveralSessions) lines.push(`  key ${entry.key}: ${entry.sessionIds.join(', ')}`);
    if (result.duplicates.unclaimedSessions.length > 0) lines.push(`  sessions no create was answered with: ${result.duplicates.unclaimedSessions.join(', ')}`);
  }
  if (result.sessions.refusals.length > 0) lines.push('', `Creates the server refused: ${result.sessions.refusals.slice(0, 5).join('; ')}`);
  if (result.faultInjectionFailures.length > 0) lines.push('', `Fault injection failures: ${[...new Set(result.faultInjectionFailures)].slice(0, 5).join('; ')}`);
  if (result.workDir !== null) lines.push('', `Logs and database kept in ${result.workDir}`);
  const missed = result.goals.filter((goal) => !goal.met).map((goal) => goal.name);
  lines.push('', missed.length === 0 ? 'PASS: every goal met.' : `FAIL: missed ${missed.join(', ')}.`);
  return lines.join('\n');
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.001 ? 4 : 3)}%`;
}

function optionalPercent(ratio: number | null): string {
  return ratio === null ? 'n/a' : percent(ratio);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function range(value: { min: number; max: number }): string {
  return value.min === value.max ? String(value.min) : `${value.min}-${value.max}`;
}
