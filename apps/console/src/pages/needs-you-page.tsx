// Needs you: what waits on a person. Reservation overrides to approve or deny, the lifecycle's alerts
// (orphans, lost instances, lost heartbeats, reconciliation gaps, provider outages), and webhook
// deliveries that failed. Overrides and alerts are the operators'; a consumer sees its own webhooks.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { REFRESH_MS } from '../api';
import { ALERT_KIND_LABELS, failedDeliveries, PENDING_OVERRIDES, RECENT_DELIVERIES } from '../attention';
import { formatDateTime, shortId } from '../format';
import { Link } from '../navigation';
import { hrefOf } from '../routes';
import { useConsumerName, useSignedIn } from '../signed-in';
import { ConfirmButton } from '../components/confirm-button';
import { QueryView } from '../components/query-view';

type AlertKind = keyof typeof ALERT_KIND_LABELS;

export function NeedsYouPage() {
  const { isOperator } = useSignedIn();
  return (
    <>
      {isOperator ? <OverridesSection /> : null}
      {isOperator ? <AlertsSection /> : null}
      <DeliveriesSection />
      {!isOperator && <p className="muted">Override approvals and the lifecycle&apos;s alerts are shown to operators.</p>}
    </>
  );
}

function OverridesSection() {
  const { client, queries } = useSignedIn();
  const consumerName = useConsumerName();
  const queryClient = useQueryClient();
  const overrides = useQuery({ ...queries.overrides(PENDING_OVERRIDES), refetchInterval: REFRESH_MS.live });
  const decide = async (id: string, approve: boolean) => {
    await (approve ? client.overrides.approve.mutate({ id }) : client.overrides.deny.mutate({ id }));
    await queryClient.invalidateQueries();
  };
  return (
    <section aria-labelledby="overrides-heading" className="panel">
      <h2 id="overrides-heading">Override requests</h2>
      <QueryView query={overrides} what="override requests" isEmpty={(data) => data.overrides.length === 0} empty="No reservation waits for approval.">
        {(data) => (
          <ul className="cards">
            {data.overrides.map((request) => (
              <li key={request.id} className="card">
                <p>
                  <strong>{consumerName(request.consumerId)}</strong> asks for <strong>{request.extraHours} more hours</strong> on{' '}
                  <Link href={hrefOf({ page: 'session', id: request.sessionId })} className="mono">
                    {shortId(request.sessionId)}
                  </Link>
                  , to {formatDateTime(request.requestedEndsAt)}.
                </p>
                <p className="muted">
                  Requested {formatDateTime(request.createdAt)} by {request.requestedBy}
                </p>
                <div className="card-actions">
                  <ConfirmButton label="Approve…" title="Approve the override?" confirmLabel="Approve" onConfirm={() => decide(request.id, true)}>
                    <p>
                      The reservation of {shortId(request.sessionId)} may then run to {formatDateTime(request.requestedEndsAt)}, past the 12-hour maximum, and keeps costing until then.
                    </p>
                  </ConfirmButton>
                  <ConfirmButton label="Deny…" title="Deny the override?" confirmLabel="Deny" tone="danger" onConfirm={() => decide(request.id, false)}>
                    <p>The session keeps its current end, {request.extraHours} hours short of what was asked.</p>
                  </ConfirmButton>
                </div>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </section>
  );
}

function AlertsSection() {
  const { queries } = useSignedIn();
  const consumerName = useConsumerName();
  const [kind, setKind] = useState<AlertKind | ''>('');
  const alerts = useQuery({ ...queries.alerts({ kind: kind === '' ? undefined : kind, limit: 50 }), refetchInterval: REFRESH_MS.live });
  return (
    <section aria-labelledby="alerts-heading" className="panel">
      <h2 id="alerts-heading">Alerts</h2>
      <div className="toolbar">
        <label>
          Kind{' '}
          <select value={kind} onChange={(event) => setKind(event.target.value as AlertKind | '')}>
            <option value="">All kinds</option>
            {Object.entries(ALERT_KIND_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <QueryView query={alerts} what="alerts" isEmpty={(data) => data.alerts.length === 0} empty={kind === '' ? 'No alerts: nothing orphaned, lost or drifting.' : 'No alerts of this kind.'}>
        {(data) => (
          <ul className="cards">
            {data.alerts.map((alert) => (
              <li key={alert.id} className={`card alert-${alert.kind}`}>
                <p>
                  <strong>{ALERT_KIND_LABELS[alert.kind]}</strong> <span className="muted">{formatDateTime(alert.createdAt)}</span>
                </p>
                <p>{alert.message}</p>
                <p className="muted">
                  {alert.sessionId !== null && (
                    <>
                      Session{' '}
                      <Link href={hrefOf({ page: 'session', id: alert.sessionId })} className="mono">
                        {shortId(alert.sessionId)}
                      </Link>
                      {' · '}
                    </>
                  )}
                  {alert.consumerId !== null && <>{consumerName(alert.consumerId)} · </>}
                  {alert.provider ?? 'no provider'}
                  {alert.instanceId !== null && <span className="mono"> · {alert.instanceId}</span>}
                </p>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </section>
  );
}

function DeliveriesSection() {
  const { queries } = useSignedIn();
  const consumerName = useConsumerName();
  const deliveries = useQuery({ ...queries.deliveries(RECENT_DELIVERIES), refetchInterval: REFRESH_MS.live });
  return (
    <section aria-labelledby="deliveries-heading" className="panel">
      <h2 id="deliveries-heading">Webhook delivery failures</h2>
      <QueryView query={deliveries} what="webhook deliveries" isEmpty={(data) => failedDeliveries(data.deliveries).length === 0} empty="Every recent webhook was delivered (or none is configured).">
        {(data) => (
          <div className="table-wrap">
            <table className="data-table stack-on-phone">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">For</th>
                  <th scope="col">URL</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="numeric">
                    Attempts
                  </th>
                  <th scope="col">Last error</th>
                  <th scope="col">Next attempt</th>
                </tr>
              </thead>
              <tbody>
                {failedDeliveries(data.deliveries).map((delivery) => (
                  <tr key={delivery.id}>
                    <td data-label="Event">{delivery.event}</td>
                    <td data-label="For">{delivery.consumerId === null ? 'Operators' : consumerName(delivery.consumerId)}</td>
                    <td data-label="URL" className="mono break">
                      {delivery.url}
                    </td>
                    <td data-label="Status">{delivery.status === 'failed' ? 'gave up' : 'retrying'}</td>
                    <td data-label="Attempts" className="numeric">
                      {delivery.attempts}
                    </td>
                    <td data-label="Last error">{delivery.lastError ?? '—'}</td>
                    <td data-label="Next attempt">{delivery.status === 'pending' ? formatDateTime(delivery.nextAttemptAt) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </section>
  );
}
