// Sessions for people: a table of sessions, one session's details (time left, node, heartbeat,
// override requests, history) and its credentials with secrets masked unless asked for.
import type { RouterOutputs, Session, SessionDetail } from '@gpu-shopper/sdk';
import { maskApiKey } from '../config-store';
import { renderTable, type Column, type TableView, type Tone } from '../table';
import { duration, instant, usd } from './values';

export type SessionCredentials = RouterOutputs['sessions']['credentials'];
export type OverrideRequest = SessionDetail['overrideRequests'][number];

/** Time left on the reservation, or why there is none. */
export function timeLeft(session: Session, now: Date): string {
  if (session.endedAt !== null || ['stopped', 'terminated', 'failed'].includes(session.state)) return 'ended';
  return duration(new Date(session.reservation.endsAt).getTime() - now.getTime());
}

/** "12m ago"; a moment in the future (clock skew) reads as "<1m ago". */
function ago(iso: string, now: Date): string {
  return `${duration(Math.max(now.getTime() - new Date(iso).getTime(), 1))} ago`;
}

/** Ready is good, failed bad, on the way up or down a warning: how a state reads at a glance. */
export function stateTone(state: Session['state']): Tone {
  return state === 'ready' ? 'good' : state === 'failed' ? 'bad' : state === 'provisioning' || state === 'stopping' ? 'warn' : null;
}

export function formatSessionList(sessions: readonly Session[], now: Date, all: boolean, view: TableView = {}): string {
  if (sessions.length === 0) return all ? 'No sessions.' : 'No live sessions (use --all to include ended ones).';
  const columns: Column<Session>[] = [
    { header: 'ID', value: (session) => session.id },
    { header: 'STATE', value: (session) => session.state, tone: (session) => stateTone(session.state) },
    { header: 'GPU', value: (session) => session.gpuModel },
    { header: 'PROVIDER', value: (session) => session.provider },
    { header: '$/H', value: (session) => session.pricePerHourUsd?.toFixed(3), align: 'right' },
    { header: 'ENDS', value: (session) => instant(session.reservation.endsAt) },
    { header: 'LEFT', value: (session) => timeLeft(session, now), align: 'right' },
  ];
  return renderTable(columns, sessions, view);
}

/** "label:  value" lines, labels padded to the longest. */
function fieldLines(fields: readonly [string, string | null][], indent = ''): string[] {
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  return fields.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}  ${value ?? '-'}`);
}

export function overrideColumns(): Column<OverrideRequest>[] {
  return [
    { header: 'ID', value: (request) => request.id },
    { header: 'SESSION', value: (request) => request.sessionId },
    { header: 'EXTRA', value: (request) => `${request.extraHours}h`, align: 'right' },
    { header: 'NEW END', value: (request) => instant(request.requestedEndsAt) },
    { header: 'STATUS', value: (request) => request.status },
    { header: 'REQUESTED BY', value: (request) => request.requestedBy },
    { header: 'DECIDED BY', value: (request) => request.decidedBy },
  ];
}

export interface SessionExtras {
  /** Only when the server can say; never estimated here. */
  costSoFarUsd?: number | null;
}

export function formatSessionDetail(session: SessionDetail, now: Date, extras: SessionExtras = {}): string {
  const heartbeat = session.lastHeartbeatAt;
  const fields: [string, string | null][] = [
    ['Session', session.id],
    ['State', session.endReason === null ? session.state : `${session.state} (${session.endReason})`],
    ['Workload', session.llmModel === null ? session.workload : `${session.workload} (${session.llmModel})`],
    ['GPU', session.gpuModel],
    ['Provider', session.provider === null ? null : `${session.provider}${session.providerInstanceId === null ? '' : ` (instance ${session.providerInstanceId})`}`],
    ['Price', session.pricePerHourUsd === null ? null : `$${session.pricePerHourUsd.toFixed(3)}/h`],
    ['Reserved', `${session.reservation.hours}h`],
    ['Starts', instant(session.reservation.startsAt)],
    ['Ends', instant(session.reservation.endsAt)],
    ['Time left', timeLeft(session, now)],
  ];
  if (typeof extras.costSoFarUsd === 'number') fields.push(['Cost so far', usd(extras.costSoFarUsd)]);
  fields.push(['Node', session.nodeEndpoint], ['Heartbeat', heartbeat === null ? 'none yet' : `${instant(heartbeat)} (${ago(heartbeat, now)})`]);
  if (heartbeat !== null) fields.push(['Agent', session.agentIdle ? 'idle' : 'busy']);
  if (session.failureReason !== null) fields.push(['Failure', session.failureReason]);
  const lines = fieldLines(fields);
  if (session.overrideRequests.length > 0) {
    lines.push('', 'Override requests:');
    const columns = overrideColumns().filter((column) => column.header !== 'SESSION');
    lines.push(...renderTable(columns, session.overrideRequests).split('\n').map((line) => `  ${line}`));
  }
  if (session.attempts.length > 1 || session.attempts.some((attempt) => attempt.outcome !== 'created')) {
    lines.push('', 'Attempts:');
    const table = renderTable(
      [
        { header: '#', value: (attempt: SessionDetail['attempts'][number]) => String(attempt.attempt) },
        { header: 'OFFER', value: (attempt) => attempt.offerId },
        { header: 'INSTANCE', value: (attempt) => attempt.instanceId },
        { header: 'OUTCOME', value: (attempt) => attempt.outcome },
        { header: 'ERROR', value: (attempt) => attempt.error },
      ],
      session.attempts,
    );
    lines.push(...table.split('\n').map((line) => `  ${line}`));
  }
  lines.push('', 'Events:');
  if (session.events.length === 0) {
    lines.push('  (none)');
  } else {
    const table = renderTable(
      [
        { header: 'AT', value: (event: SessionDetail['events'][number]) => instant(event.at) },
        { header: 'FROM', value: (event) => event.from },
        { header: 'TO', value: (event) => event.to },
        { header: 'REASON', value: (event) => event.reason },
        { header: 'BY', value: (event) => event.actor },
      ],
      session.events,
    );
    lines.push(...table.split('\n').map((line) => `  ${line}`));
  }
  return lines.join('\n');
}

/** `ssh -p 40022 root@203.0.113.7`, with `-i <key>` when a key file is known; null before the host is. */
export function sshCommand(credentials: SessionCredentials, keyFile?: string): string | null {
  const { host, port, user } = credentials.ssh;
  if (host === null) return null;
  return ['ssh', ...(keyFile === undefined ? [] : ['-i', keyFile]), ...(port === null ? [] : ['-p', String(port)]), `${user}@${host}`].join(' ');
}

export interface CredentialsView {
  showSecrets: boolean;
  /** Where `--save-key` wrote the private key, if it did. */
  savedKeyFile?: string;
}

export function formatCredentials(credentials: SessionCredentials, view: CredentialsView): string {
  const fields: [string, string | null][] = [
    ['Node endpoint', credentials.nodeEndpoint ?? 'not yet known'],
    ['Node token', view.showSecrets ? credentials.nodeToken : `${maskApiKey(credentials.nodeToken)} (--show-secrets shows it)`],
    ['SSH', sshCommand(credentials, view.savedKeyFile) ?? 'not yet known (the node is starting)'],
  ];
  if (credentials.ssh.privateKey !== null) {
    fields.push(['Private key', view.savedKeyFile === undefined ? 'generated for this session; --save-key <path> writes it (0600)' : `saved to ${view.savedKeyFile} (0600)`]);
  }
  return ['Credentials:', ...fieldLines(fields, '  ')].join('\n');
}
