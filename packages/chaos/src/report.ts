// The run's result: its figures, the goals they are held to, and the table (or JSON) printed.
import type { BudgetFigures } from './budget-check';
import type { Anomaly } from './invariants';
import { MAX_SESSION_COST_ERROR, type CostFigures, type SessionCostComparison } from './cost-check';
import type { DuplicateReport } from './idempotency';
import type { ChaosOptions, FaultKind } from './options';
import { fractionAnswered, type AnswerCounts } from './shopper-api';
import type { WebhookFigures } from './webhook-receiver';

export const GOALS = {
  orphans: 0,
  ghosts: 0,
  /** Or, for a session with an instance end no server could see, within half that outage (see cost-check). */
  maxSessionCostError: MAX_SESSION_COST_ERROR,
  totalCostError: 0.005,
  duplicates: 0,
  duplicateWebhookEvents: 0,
  undeliveredWebhookEvents: 0,
  budgetOvershootUsd: 0,
  budgetSessionsOver: 0,
  /** With several replicas only: one server alone cannot answer while it is dead. */
  fractionAnswered: 0.99,
} as const;

export interface ChaosResult {
  parameters: Omit<ChaosOptions, 'json' | 'verbose' | 'keep'> & { graceMs: number };
  replicas: number;
  /** "sqlite", or "postgres (<scratch database>, ...)". */
  database: string;
  kills: number;
  restarts: number;
  /** Every replica's downtime added up. */
  serverDowntimeMs: number;
  /** Time no replica was up (one server: its downtime); what the invariants excuse. */
  noReplicaUpMs: number;
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
  /** Every request the harness made to the server (round-robin over replicas, failing over). */
  answers: AnswerCounts;
  webhooks: WebhookFigures;
  /** Null when the budget check was skipped (--budget-provisions 0). */
  budget: BudgetFigures | null;
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
      value: sessionCostValue(cost),
      target: `<= ${percent(GOALS.maxSessionCostError)}${cost.outageAllowance ? ' (or within half the outage for an end no server could see, or within the bill\'s one-second resolution)' : result.parameters.strictInvariants ? ' (--strict: no outage or resolution allowance)' : ''}`,
      met: cost.maxRelativeError !== null && cost.sessionsOverGoal.length === 0 && cost.unpriced.length === 0,
    },
    {
      name: 'total cost error',
      value: cost.totalRelativeError === null ? 'nothing billed' : percent(cost.totalRelativeError),
      target: `<= ${percent(GOALS.totalCostError)}`,
      met: cost.totalRelativeError !== null && cost.totalRelativeError <= GOALS.totalCostError,
    },
    { name: 'duplicate sessions', value: String(result.duplicates.duplicates), target: `= ${GOALS.duplicates}`, met: result.duplicates.duplicates <= GOALS.duplicates },
    ...webhookGoals(result.webhooks),
    ...budgetGoals(result.budget),
    ...answeredGoals(result.replicas, result.answers),
    {
      name: 'settled',
      value: result.settled ? `yes, in ${seconds(result.settleMs)}` : `no: ${result.leftover.liveSessions.length} live sessions, ${result.leftover.liveInstances.length} live instances`,
      target: 'yes',
      met: result.settled,
    },
  ];
}

/** The worst error as ever; beside it, when some end was unseen, whether those sessions held their bound and how the others did. */
function sessionCostValue(cost: CostFigures): string {
  if (cost.maxRelativeError === null) return 'no session to compare';
  const unseen = cost.unseenEnds;
  const resolution = cost.withinResolution > 0 ? `; ${cost.withinResolution} within the bill's resolution` : '';
  if (unseen.sessions === 0) return `${percent(cost.maxRelativeError)}${resolution}`;
  return `${percent(cost.maxRelativeError)}; ${unseen.sessions} ended unseen, ${unseen.allWithinBound ? 'within' : 'NOT all within'} the outage bound; others ${optionalPercent(unseen.othersMaxRelativeError)}${resolution}`;
}

function webhookGoals(webhooks: WebhookFigures): GoalCheck[] {
  return [
    {
      name: 'webhook events delivered more than once',
      value: webhooks.events === 0 ? 'no event arrived' : `${webhooks.duplicateEvents} of ${webhooks.events}`,
      target: `= ${GOALS.duplicateWebhookEvents}`,
      // No event at all is no measurement: every run ends sessions, which the operators hear about.
      met: webhooks.events > 0 && webhooks.duplicateEvents <= GOALS.duplicateWebhookEvents,
    },
    {
      name: 'webhook deliveries never received',
      value: webhooks.undelivered === null ? 'delivery log unreadable' : `${webhooks.undelivered.length} of ${webhooks.logged}${webhooks.logTruncated ? ' (newest only)' : ''}`,
      target: `= ${GOALS.undeliveredWebhookEvents}`,
      met: webhooks.undelivered !== null && webhooks.undelivered.length <= GOALS.undeliveredWebhookEvents,
    },
  ];
}

function budgetGoals(budget: BudgetFigures | null): GoalCheck[] {
  if (budget === null) return [];
  return [
    {
      name: 'budget overshoot',
      value: budget.problem ?? `$${budget.overshootUsd.toFixed(4)}, ${budget.overCount} session${budget.overCount === 1 ? '' : 's'} over`,
      target: `= $${GOALS.budgetOvershootUsd}, ${GOALS.budgetSessionsOver} over`,
      met: budget.problem === null && budget.overshootUsd <= GOALS.budgetOvershootUsd && budget.overCount <= GOALS.budgetSessionsOver,
    },
  ];
}

function answeredGoals(replicas: number, answers: AnswerCounts): GoalCheck[] {
  if (replicas < 2) return [];
  const fraction = fractionAnswered(answers);
  return [
    {
      name: 'API requests answered',
      value: fraction === null ? 'no request made' : `${percent(fraction)} (${answers.answered} of ${answers.attempted})`,
      target: `>= ${percent(GOALS.fractionAnswered)}`,
      met: fraction !== null && fraction >= GOALS.fractionAnswered,
    },
  ];
}

export function finishResult(partial: Omit<ChaosResult, 'goals' | 'passed'>): ChaosResult {
  const goals = checkGoals(partial);
  return { ...partial, goals, passed: goals.every((goal) => goal.met) };
}

export function renderTable(result: ChaosResult): string {
  const p = result.parameters;
  const single = result.replicas === 1;
  const fraction = fractionAnswered(result.answers);
  const a = result.answers;
  const rows: [string, string][] = [
    ['replicas / database', `${result.replicas} / ${result.database}`],
    [
      'kills (SIGKILL + restart)',
      single
        ? `${result.kills} (server down ${seconds(result.serverDowntimeMs)} in all, longest restart ${seconds(result.longestRestartMs)})`
        : `${result.kills} of a random replica (replicas down ${seconds(result.serverDowntimeMs)} in all, none up ${seconds(result.noReplicaUpMs)}, longest restart ${seconds(result.longestRestartMs)})`,
    ],
    ['sessions', `${result.sessions.created} created of ${result.sessions.planned} (${result.sessions.viaCli} via CLI, ${result.sessions.refused} refused)`],
    ['idempotent replays', String(result.duplicates.replays)],
    ['faults injected', Object.entries(result.faultsInjected).map(([kind, count]) => `${kind} ${count}`).join(', ')],
    ['orphans', `${result.orphans}${p.strictInvariants ? ' (strict)' : ` (${result.strict.orphans} if provider outages are not excused)`}`],
    ['ghosts', `${result.ghosts}${p.strictInvariants ? ' (strict)' : ` (${result.strict.ghosts} if provider outages are not excused)`}`],
    ['mismatches seen / past the grace', `${result.mismatchesSeen} / ${result.anomalies.length}, longest ${seconds(result.longestMismatchMs)}`],
    ['last orphan/ghost cleared after', result.lastMismatchToClearMs === null ? 'none seen' : seconds(result.lastMismatchToClearMs)],
    ['per-session cost error max', optionalPercent(result.cost.maxRelativeError)],
    ['per-session cost error median', optionalPercent(result.cost.medianRelativeError)],
    [
      'provider-side end in an outage',
      `${result.cost.unseenEnds.sessions} session${result.cost.unseenEnds.sessions === 1 ? '' : 's'} (all within the outage bound: ${result.cost.unseenEnds.allWithinBound ? 'yes' : 'no'}${result.cost.outageAllowance ? '' : '; not excused'}), max error of the others: ${optionalPercent(result.cost.unseenEnds.othersMaxRelativeError)}`,
    ],
    ['over 1% within the bill\'s resolution', `${result.cost.withinResolution ?? 0} session${result.cost.withinResolution === 1 ? '' : 's'} (off by no more than one billed second of each meter${result.cost.outageAllowance ? '' : '; not excused'})`],
    ['sessions compared / skipped', `${result.cost.compared} / ${result.cost.skipped} (billed < $${result.cost.minBilledUsd})${result.cost.unpriced.length > 0 ? `, ${result.cost.unpriced.length} unpriced` : ''}`],
    ['total cost (ours / billed)', `$${result.cost.oursTotalUsd.toFixed(6)} / $${result.cost.billedTotalUsd.toFixed(6)}: error ${optionalPercent(result.cost.totalRelativeError)}`],
    ...Object.entries(result.cost.byProvider ?? {}).map(([provider, totals]): [string, string] => [`  ${provider} (${totals.sessions} sessions)`, `$${totals.oursUsd.toFixed(6)} / $${totals.billedUsd.toFixed(6)}: error ${optionalPercent(totals.relativeError)}`]),
    ['unattributed provider billing', `$${result.cost.unattributedBilledUsd.toFixed(6)} (${result.cost.unattributedInstances.length} instances)`],
    ['duplicate sessions', `${result.duplicates.duplicates}${result.duplicates.unclaimedSessions.length > 0 ? ` (${result.duplicates.unclaimedSessions.length} unclaimed)` : ''}`],
    [
      'API requests answered',
      `${fraction === null ? 'n/a' : percent(fraction)} (${a.answered} of ${a.attempted}; unanswered: ${a.refused} no replica took the connection, ${a.unavailable} 502/503 from every replica, ${a.cutOff} cut off${single ? '' : `; ${a.failedOver} answered after failing over`})`,
    ],
    ['webhook deliveries', webhookLine(result.webhooks)],
    ['duplicate webhook events', `${result.webhooks.duplicateEvents} (${result.webhooks.extraDeliveries} extra copies, ${result.webhooks.duplicates.filter((duplicate) => duplicate.acrossKill).length} of the events around a kill)`],
    ['budget check', budgetLine(result.budget)],
    ['budget overshoot', result.budget === null ? 'not checked' : (result.budget.problem ?? `$${result.budget.overshootUsd.toFixed(4)} (${result.budget.overCount} over; peak $${result.budget.peakProjectedUsd.toFixed(4)} in ${result.budget.peakSessions} sessions, limit $${result.budget.limitUsd?.toFixed(4)})`)],
    ['settle', result.settled ? `settled in ${seconds(result.settleMs)}` : `NOT settled after ${seconds(result.settleMs)}`],
    ['run time', seconds(result.durationMs)],
  ];
  const parameters = `seed ${p.seed}, kills ${p.kills}, sessions ${p.sessions} (${p.cliSessions} CLI), duration ${p.durationSeconds} s, tick ${p.tickSeconds} s, lifetime ${range(p.lifetimeSeconds)} s, down ${range(p.downSeconds)} s, faults ${p.faults.join(',') || 'none'} (${range(p.faultSeconds)} s each), grace ${seconds(p.graceMs)}, replays/kill ${p.replaysPerKill}, replicas ${p.replicas} on ${p.database}${p.budgetProvisions > 0 ? `, budget ${p.budgetFits} of ${p.budgetProvisions}` : ''}`;
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = ['Chaos run', `  ${parameters}`, '', ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`), '', 'Goals'];
  const goalWidth = Math.max(...result.goals.map((goal) => goal.name.length));
  const valueWidth = Math.max(...result.goals.map((goal) => goal.value.length));
  for (const goal of result.goals) lines.push(`  ${goal.met ? 'ok  ' : 'MISS'}  ${goal.name.padEnd(goalWidth)}  ${goal.value.padEnd(valueWidth)}  (goal ${goal.target})`);
  const overOnePercent = result.cost.sessions.filter((session) => session.relativeError !== null && session.relativeError > GOALS.maxSessionCostError);
  const sessionLine = (session: SessionCostComparison) => {
    const down = session.serverDownMs === undefined ? '' : `, ${result.replicas === 1 ? 'server' : 'a replica'} down ${seconds(session.serverDownMs)} of its life`;
    const unseen = session.unseenEnds.map((end) => `${end.provider}:${end.instanceId} ended in a ${seconds(end.blindToMs - end.blindFromMs)} blind window`).join(', ');
    const bound = unseen === '' ? '' : `; ${unseen}: off by $${session.absoluteErrorUsd.toFixed(6)}, bound $${session.outageBoundUsd.toFixed(6)}`;
    const resolution = session.withinResolution === true ? `; off by $${session.absoluteErrorUsd.toFixed(6)}, one billed second $${session.resolutionUsd.toFixed(6)}` : '';
    return `  ${session.sessionId}  ours $${session.oursUsd.toFixed(6)}  billed $${session.billedUsd.toFixed(6)} (${session.instances} instance${session.instances === 1 ? '' : 's'})  error ${percent(session.relativeError!)}${down}${bound}${resolution}`;
  };
  const worst = overOnePercent.filter((session) => session.withinGoal === false).slice(0, 10);
  if (worst.length > 0) {
    lines.push('', 'Sessions over the per-session cost goal (worst first)');
    for (const session of worst) lines.push(sessionLine(session));
  }
  const excused = overOnePercent.filter((session) => session.withinGoal === true).slice(0, 10);
  if (excused.length > 0) {
    lines.push('', `Sessions over ${percent(GOALS.maxSessionCostError)} but within half the outage their instance ended in, or within the bill's one-second resolution (worst first)`);
    for (const session of excused) lines.push(sessionLine(session));
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
  if (result.webhooks.duplicates.length > 0) {
    lines.push('', 'Webhook events delivered more than once (first 10)');
    for (const duplicate of result.webhooks.duplicates.slice(0, 10)) lines.push(`  ${duplicate.eventId} (${duplicate.event ?? '?'}) ${duplicate.times} times, deliveries ${duplicate.deliveryIds.join(', ') || '?'}${duplicate.acrossKill ? ', a replica was killed in between' : ''}`);
  }
  if (result.webhooks.undelivered !== null && result.webhooks.undelivered.length > 0) lines.push('', `Webhook deliveries never received: ${result.webhooks.undelivered.slice(0, 10).join('; ')}`);
  if (result.budget !== null && result.budget.otherRefusals.length > 0) lines.push('', `Budget check creates refused for another reason: ${result.budget.otherRefusals.join('; ')}`);
  if (result.sessions.refusals.length > 0) lines.push('', `Creates the server refused: ${result.sessions.refusals.slice(0, 5).join('; ')}`);
  if (result.faultInjectionFailures.length > 0) lines.push('', `Fault injection failures: ${[...new Set(result.faultInjectionFailures)].slice(0, 5).join('; ')}`);
  if (result.workDir !== null) lines.push('', `Logs and database kept in ${result.workDir}`);
  const missed = result.goals.filter((goal) => !goal.met).map((goal) => goal.name);
  lines.push('', missed.length === 0 ? 'PASS: every goal met.' : `FAIL: missed ${missed.join(', ')}.`);
  return lines.join('\n');
}

function webhookLine(webhooks: WebhookFigures): string {
  const log = webhooks.logged === null ? 'delivery log unreadable' : `${webhooks.logged} logged${webhooks.logTruncated ? ' (newest only)' : ''}, ${webhooks.undelivered?.length ?? 0} never received, ${webhooks.failedInLog} given up`;
  return `${webhooks.events} events in ${webhooks.receipts} deliveries; ${log}${webhooks.badSignatures > 0 ? `; ${webhooks.badSignatures} bad signatures` : ''}${webhooks.unparseable > 0 ? `; ${webhooks.unparseable} without an event id` : ''}`;
}

function budgetLine(budget: BudgetFigures | null): string {
  if (budget === null) return 'skipped';
  if (budget.limitUsd === null || budget.pricePerHourUsd === null) return budget.problem ?? 'not set up';
  return `${budget.fired} provisions at once, priced at the cheapest offer ${budget.offerId} ($${budget.pricePerHourUsd.toFixed(4)}/h x ${budget.hours} h), ${budget.fits} fit: ${budget.accepted} accepted, ${budget.refusedByBudget} refused by the budget, ${budget.otherRefused} refused otherwise, ${budget.unanswered} unanswered; ${budget.sessionsAtServer} at the server`;
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
