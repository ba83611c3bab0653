// Sessions: the live list (or every session), refreshed every few seconds without a reload, a page
// at a time. The list gives state, consumer, GPU, provider, price and reservation; each row reads its
// session's heartbeat and idle flag, and its cost so far, on a slower beat.
import { useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Session } from '@gpu-shopper/sdk';
import { REFRESH_MS } from '../api';
import { formatAgo, formatTimeLeft, formatUsd, formatUsdPerHour, shortId } from '../format';
import { Link } from '../navigation';
import { hrefOf } from '../routes';
import { useServerNow } from '../server-clock';
import { useConsumerName, useSignedIn } from '../signed-in';
import { QueryView } from '../components/query-view';
import { StateBadge } from '../components/state-badge';

export const SESSIONS_PAGE_SIZE = 25;

const ENDED: readonly Session['state'][] = ['terminated', 'failed'];

export function SessionsPage() {
  const { queries, isOperator } = useSignedIn();
  const [showAll, setShowAll] = useState(false);
  const [consumer, setConsumer] = useState('');
  const [consumerDraft, setConsumerDraft] = useState('');
  // The cursors of the pages before this one: "Newer" pops, "Older" pushes.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  // One clock for every row's countdown.
  const now = useServerNow();
  const list = useQuery({
    ...queries.sessions({ all: showAll || undefined, consumer: consumer === '' ? undefined : consumer, limit: SESSIONS_PAGE_SIZE, cursor }),
    refetchInterval: REFRESH_MS.live,
    placeholderData: keepPreviousData,
  });

  const applyConsumer = (event: FormEvent) => {
    event.preventDefault();
    setConsumer(consumerDraft.trim());
    setCursors([]);
  };

  return (
    <>
      <div className="toolbar">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={showAll}
            onChange={(event) => {
              setShowAll(event.target.checked);
              setCursors([]);
            }}
          />
          Include ended sessions
        </label>
        {isOperator && (
          <form className="inline-form" onSubmit={applyConsumer} role="search" aria-label="Filter sessions by consumer">
            <label htmlFor="session-consumer">Consumer</label>
            <input id="session-consumer" value={consumerDraft} onChange={(event) => setConsumerDraft(event.target.value)} placeholder="any" maxLength={64} />
            <button type="submit" className="button">
              Filter
            </button>
          </form>
        )}
      </div>
      <QueryView
        query={list}
        what="sessions"
        isEmpty={(data) => data.sessions.length === 0 && cursor === undefined}
        empty={showAll ? 'No sessions yet.' : 'No live sessions. Sessions appear here as soon as they are requested.'}
      >
        {(data) => (
          <>
            <p className="count" role="status">
              {data.sessions.length} {showAll ? '' : 'live '}session{data.sessions.length === 1 ? '' : 's'}
              {cursors.length > 0 || data.nextCursor !== null ? ` on this page` : ''}
            </p>
            <div className="table-wrap">
              <table className="data-table stack-on-phone">
                <caption className="visually-hidden">{showAll ? 'Sessions, newest first' : 'Live sessions, newest first'}</caption>
                <thead>
                  <tr>
                    <th scope="col">Session</th>
                    <th scope="col">State</th>
                    <th scope="col">Consumer</th>
                    <th scope="col">GPU</th>
                    <th scope="col">Provider</th>
                    <th scope="col" className="numeric">
                      $/h
                    </th>
                    <th scope="col">Time left</th>
                    <th scope="col" className="numeric">
                      Cost so far
                    </th>
                    <th scope="col">Last heartbeat</th>
                    <th scope="col">Idle</th>
                  </tr>
                </thead>
                <tbody>
                  {data.sessions.map((session) => (
                    <SessionRow key={session.id} session={session} now={now} />
                  ))}
                </tbody>
              </table>
            </div>
            <nav className="pager" aria-label="Session pages">
              <button type="button" className="button" disabled={cursors.length === 0} onClick={() => setCursors((previous) => previous.slice(0, -1))}>
                Newer
              </button>
              <button type="button" className="button" disabled={data.nextCursor === null} onClick={() => data.nextCursor !== null && setCursors((previous) => [...previous, data.nextCursor!])}>
                Older
              </button>
            </nav>
          </>
        )}
      </QueryView>
    </>
  );
}

function SessionRow({ session, now }: { session: Session; now: number }) {
  const { queries } = useSignedIn();
  const consumerName = useConsumerName();
  const live = !ENDED.includes(session.state);
  // An ended session changes no more: read once. A live one, on the detail beat.
  const refetchInterval = live ? REFRESH_MS.detail : false;
  const detail = useQuery({ ...queries.session(session.id), refetchInterval });
  const cost = useQuery({ ...queries.sessionCost(session.id), refetchInterval });
  const heartbeat = detail.data?.lastHeartbeatAt ?? null;
  return (
    <tr>
      <td data-label="Session">
        <Link href={hrefOf({ page: 'session', id: session.id })} title={session.id} className="mono">
          {shortId(session.id)}
        </Link>
      </td>
      <td data-label="State">
        <StateBadge state={session.state} />
      </td>
      <td data-label="Consumer">{consumerName(session.consumerId)}</td>
      <td data-label="GPU">{session.gpuModel ?? '—'}</td>
      <td data-label="Provider">{session.provider ?? '—'}</td>
      <td data-label="$/h" className="numeric">
        {formatUsdPerHour(session.pricePerHourUsd)}
      </td>
      <td data-label="Time left">{live ? formatTimeLeft(session.reservation.endsAt, now) : `ended (${session.endReason ?? session.state})`}</td>
      <td data-label="Cost so far" className="numeric">
        {cost.data === undefined ? '…' : formatUsd(cost.data.totalUsd)}
      </td>
      <td data-label="Last heartbeat">{detail.data === undefined ? '…' : formatAgo(heartbeat, now)}</td>
      <td data-label="Idle">{detail.data === undefined ? '…' : heartbeat === null ? '—' : detail.data.agentIdle ? 'idle' : 'busy'}</td>
    </tr>
  );
}
