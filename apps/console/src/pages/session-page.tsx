// One session: where it stands (state, reservation, node), what it cost (per hour), its history and
// provisioning attempts, and the two actions that change it, each confirmed first: extend, force shutdown.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { SessionDetail } from '@gpu-shopper/sdk';
import { REFRESH_MS } from '../api';
import { formatAgo, formatDateTime, formatTimeLeft, formatUsd, formatUsdPerHour } from '../format';
import { useServerNow } from '../server-clock';
import { useConsumerName, useSignedIn } from '../signed-in';
import { ConfirmButton } from '../components/confirm-button';
import { QueryView } from '../components/query-view';
import { StateBadge } from '../components/state-badge';
import { HourlyCostChart } from '../components/hourly-cost-chart';

const ENDED: readonly SessionDetail['state'][] = ['terminated', 'failed'];
/** The API's limit on one extension, and on a reservation without an operator's approval. */
const MAX_HOURS_WITHOUT_APPROVAL = 12;

export function SessionPage({ id }: { id: string }) {
  const { queries } = useSignedIn();
  const detail = useQuery({ ...queries.session(id), refetchInterval: (query) => (query.state.data !== undefined && ENDED.includes(query.state.data.state) ? false : REFRESH_MS.live) });
  return (
    <QueryView query={detail} what="the session">
      {(session) => <SessionView session={session} />}
    </QueryView>
  );
}

function SessionView({ session }: { session: SessionDetail }) {
  const { queries } = useSignedIn();
  const consumerName = useConsumerName();
  const now = useServerNow();
  const live = !ENDED.includes(session.state);
  const cost = useQuery({ ...queries.sessionCost(session.id), refetchInterval: live ? REFRESH_MS.detail : false });
  return (
    <div className="session-grid">
      <section aria-labelledby="session-summary" className="panel">
        <h2 id="session-summary">Summary</h2>
        <dl className="facts">
          <dt>State</dt>
          <dd>
            <StateBadge state={session.state} />
            {session.endReason !== null && <span className="muted"> ({session.endReason})</span>}
          </dd>
          <dt>Consumer</dt>
          <dd>{consumerName(session.consumerId)}</dd>
          <dt>Workload</dt>
          <dd>
            {session.workload}
            {session.llmModel !== null && <span className="muted"> · {session.llmModel}</span>}
          </dd>
          <dt>GPU</dt>
          <dd>{session.gpuModel ?? '—'}</dd>
          <dt>Provider</dt>
          <dd>
            {session.provider ?? '—'}
            {session.providerInstanceId !== null && <span className="muted mono"> · {session.providerInstanceId}</span>}
          </dd>
          <dt>Price</dt>
          <dd>{formatUsdPerHour(session.pricePerHourUsd)}</dd>
          <dt>Reservation</dt>
          <dd>
            {session.reservation.hours} h, ends {formatDateTime(session.reservation.endsAt)}
            {live && <span className="muted"> ({formatTimeLeft(session.reservation.endsAt, now)} left)</span>}
          </dd>
          <dt>Hard maximum</dt>
          <dd>{formatDateTime(session.reservation.hardMaxEndsAt)}</dd>
          <dt>Requested</dt>
          <dd>{formatDateTime(session.createdAt)}</dd>
          <dt>Ready</dt>
          <dd>{formatDateTime(session.readyAt)}</dd>
          {session.endedAt !== null && (
            <>
              <dt>Ended</dt>
              <dd>{formatDateTime(session.endedAt)}</dd>
            </>
          )}
          {session.failureReason !== null && (
            <>
              <dt>Failure</dt>
              <dd>{session.failureReason}</dd>
            </>
          )}
        </dl>
        {live && <SessionActions session={session} />}
      </section>

      <section aria-labelledby="session-node" className="panel">
        <h2 id="session-node">Node</h2>
        <dl className="facts">
          <dt>Last heartbeat</dt>
          <dd>{formatAgo(session.lastHeartbeatAt, now)}</dd>
          <dt>Agent</dt>
          <dd>{session.lastHeartbeatAt === null ? 'not heard from yet' : session.agentIdle ? 'idle' : 'busy'}</dd>
          <dt>Endpoint</dt>
          <dd className="mono">{session.nodeEndpoint ?? '—'}</dd>
        </dl>
      </section>

      <section aria-labelledby="session-cost" className="panel">
        <h2 id="session-cost">Cost</h2>
        <QueryView query={cost} what="the cost">
          {(data) => (
            <>
              <dl className="facts">
                <dt>Total so far</dt>
                <dd className="emphasis">{formatUsd(data.totalUsd)}</dd>
                <dt>Compute</dt>
                <dd>
                  {formatUsd(data.computeUsd)} <span className="muted">at {formatUsdPerHour(data.computePerHourUsd)}</span>
                </dd>
                <dt>Storage</dt>
                <dd>
                  {formatUsd(data.storageUsd)} <span className="muted">at {formatUsdPerHour(data.storagePerHourUsd)}</span>
                </dd>
                {data.adjustmentUsd !== 0 && (
                  <>
                    <dt>Provider true-up</dt>
                    <dd>{formatUsd(data.adjustmentUsd)}</dd>
                  </>
                )}
              </dl>
              {data.hours.length > 0 ? <HourlyCostChart hours={data.hours} /> : <p className="empty">Nothing charged yet: charging starts when the provider runs the instance.</p>}
            </>
          )}
        </QueryView>
      </section>

      <section aria-labelledby="session-history" className="panel panel-wide">
        <h2 id="session-history">History</h2>
        <div className="table-wrap">
          <table className="data-table stack-on-phone">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Why</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {session.events.map((event, index) => (
                <tr key={`${event.at}-${index}`}>
                  <td data-label="When">{formatDateTime(event.at)}</td>
                  <td data-label="From">{event.from ?? '—'}</td>
                  <td data-label="To">{event.to}</td>
                  <td data-label="Why">{event.reason}</td>
                  <td data-label="By">{event.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="session-attempts" className="panel panel-wide">
        <h2 id="session-attempts">Provisioning attempts</h2>
        {session.attempts.length === 0 ? (
          <p className="empty">No offer tried yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="data-table stack-on-phone">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Offer</th>
                  <th scope="col">Instance</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Started</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {session.attempts.map((attempt) => (
                  <tr key={attempt.attempt}>
                    <td data-label="#">{attempt.attempt}</td>
                    <td data-label="Provider">{attempt.provider}</td>
                    <td data-label="Offer" className="mono">
                      {attempt.offerId}
                    </td>
                    <td data-label="Instance" className="mono">
                      {attempt.instanceId ?? '—'}
                    </td>
                    <td data-label="Outcome">{attempt.outcome}</td>
                    <td data-label="Started">{formatDateTime(attempt.startedAt)}</td>
                    <td data-label="Error">{attempt.error ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {session.overrideRequests.length > 0 && (
        <section aria-labelledby="session-overrides" className="panel panel-wide">
          <h2 id="session-overrides">Override requests</h2>
          <ul className="plain-list">
            {session.overrideRequests.map((request) => (
              <li key={request.id}>
                +{request.extraHours} h to {formatDateTime(request.requestedEndsAt)}: <strong>{request.status}</strong>
                {request.decidedBy !== null && <span className="muted"> by {request.decidedBy}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function SessionActions({ session }: { session: SessionDetail }) {
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  const [hours, setHours] = useState(1);
  const [outcome, setOutcome] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries();
  const canExtend = session.state === 'provisioning' || session.state === 'ready';

  const extend = async () => {
    const pendingBefore = session.overrideRequests.filter((request) => request.status === 'pending').length;
    const extended = await client.sessions.extend.mutate({ id: session.id, hours });
    const pendingAfter = extended.overrideRequests.filter((request) => request.status === 'pending').length;
    setOutcome(pendingAfter > pendingBefore ? `Past the ${MAX_HOURS_WITHOUT_APPROVAL}-hour maximum: an override request for ${hours} h was filed for an operator to approve.` : `Extended: the reservation now ends ${formatDateTime(extended.reservation.endsAt)}.`);
    await refresh();
  };
  const shutdown = async () => {
    await client.sessions.shutdown.mutate({ id: session.id });
    setOutcome('Shutdown requested: the instance is being destroyed.');
    await refresh();
  };

  return (
    <div className="actions" aria-label="Session actions" role="group">
      {canExtend && (
        <div className="inline-form">
          <label htmlFor="extend-hours">Extend by (hours)</label>
          <input id="extend-hours" type="number" min={1} max={MAX_HOURS_WITHOUT_APPROVAL} step={1} value={hours} onChange={(event) => setHours(Math.min(MAX_HOURS_WITHOUT_APPROVAL, Math.max(1, Math.trunc(Number(event.target.value) || 1))))} />
          <ConfirmButton label="Extend…" title="Extend the reservation?" confirmLabel={`Extend by ${hours} h`} onConfirm={extend}>
            <p>
              The reservation ends {formatDateTime(session.reservation.endsAt)}. Extending adds {hours} h at {formatUsdPerHour(session.pricePerHourUsd)}. Past {MAX_HOURS_WITHOUT_APPROVAL} hours in all, the
              extension becomes an override request an operator must approve.
            </p>
          </ConfirmButton>
        </div>
      )}
      <ConfirmButton label="Force shutdown…" title="Force a shutdown?" confirmLabel="Shut down now" tone="danger" onConfirm={shutdown}>
        <p>
          {session.state === 'stopping'
            ? 'The session is already ending; forcing cuts its grace period short.'
            : 'The instance is destroyed now, with its disk: whatever runs on the node stops and its files are lost. This cannot be undone.'}
        </p>
      </ConfirmButton>
      {outcome !== null && (
        <p className="outcome" role="status">
          {outcome}
        </p>
      )}
    </div>
  );
}
