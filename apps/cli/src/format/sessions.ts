// Sessions for people: a table of sessions, and one session's details with its time left and
// the history of its states.
import type { Session, SessionDetail } from '@gpu-shopper/sdk';
import { renderTable, type Column } from '../table';
import { duration, instant } from './values';

/** Time left on the reservation, or why there is none. */
export function timeLeft(session: Session, now: Date): string {
  if (session.endedAt !== null || ['stopped', 'terminated', 'failed'].includes(session.state)) return 'ended';
  return duration(new Date(session.reservation.endsAt).getTime() - now.getTime());
}

export function formatSessionList(sessions: readonly Session[], now: Date, all: boolean): string {
  if (sessions.length === 0) return all ? 'No sessions.' : 'No live sessions (use --all to include ended ones).';
  const columns: Column<Session>[] = [
    { header: 'ID', value: (session) => session.id },
    { header: 'STATE', value: (session) => session.state },
    { header: 'GPU', value: (session) => session.gpuModel },
    { header: 'PROVIDER', value: (session) => session.provider },
    { header: '$/H', value: (session) => session.pricePerHourUsd?.toFixed(3), align: 'right' },
    { header: 'ENDS', value: (session) => instant(session.reservation.endsAt) },
    { header: 'LEFT', value: (session) => timeLeft(session, now), align: 'right' },
  ];
  return renderTable(columns, sessions);
}

export function formatSessionDetail(session: SessionDetail, now: Date): string {
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
  if (session.failureReason !== null) fields.push(['Failure', session.failureReason]);
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  const lines = fields.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value ?? '-'}`);
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
