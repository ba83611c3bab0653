// Costs: spend over time stacked by consumer, provider or GPU; budgets with their thresholds and what
// is left; and (operators) how our ledger compares with each provider's bill.
import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { REFRESH_MS } from '../api';
import { reconciliationByProvider, stackCosts, windowStart, type Period } from '../cost-shapes';
import { formatDateTime, formatPercent, formatUsd } from '../format';
import { serverClock } from '../server-clock';
import { useConsumerName, useSignedIn } from '../signed-in';
import { QueryView } from '../components/query-view';
import { StackedCostChart } from '../components/stacked-cost-chart';

type StackBy = 'consumer' | 'provider' | 'gpu';

const PERIODS: { value: Period; label: string; windowLabel: string }[] = [
  { value: 'hour', label: 'Hour', windowLabel: 'the last 48 hours' },
  { value: 'day', label: 'Day', windowLabel: 'the last 30 days' },
  { value: 'month', label: 'Month', windowLabel: 'the last 12 months' },
];

const STACK_LABELS: Record<StackBy, string> = { consumer: 'consumer', provider: 'provider', gpu: 'GPU model' };

export function CostsPage() {
  const { isOperator } = useSignedIn();
  return (
    <>
      <SpendSection />
      <BudgetsSection />
      {isOperator && <ReconciliationSection />}
    </>
  );
}

function SpendSection() {
  const { queries, isOperator } = useSignedIn();
  const consumerName = useConsumerName();
  const [period, setPeriod] = useState<Period>('day');
  const [stackBy, setStackBy] = useState<StackBy>(isOperator ? 'consumer' : 'provider');
  const from = windowStart(period, serverClock.now());
  const report = useQuery({ ...queries.costs({ period, from, group_by: stackBy }), refetchInterval: REFRESH_MS.slow, placeholderData: keepPreviousData });
  const stackOptions: StackBy[] = isOperator ? ['consumer', 'provider', 'gpu'] : ['provider', 'gpu'];
  const periodInfo = PERIODS.find((item) => item.value === period)!;

  return (
    <section aria-labelledby="spend-heading" className="panel">
      <h2 id="spend-heading">Spend over time</h2>
      <div className="toolbar">
        <label>
          Per{' '}
          <select value={period} onChange={(event) => setPeriod(event.target.value as Period)}>
            {PERIODS.map((item) => (
              <option key={item.value} value={item.value}>
                {item.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Stacked by{' '}
          <select value={stackBy} onChange={(event) => setStackBy(event.target.value as StackBy)}>
            {stackOptions.map((value) => (
              <option key={value} value={value}>
                {STACK_LABELS[value]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <QueryView query={report} what="costs" isEmpty={(data) => data.buckets.length === 0} empty={`Nothing spent in ${periodInfo.windowLabel}.`}>
        {(data) => {
          const stacked = stackCosts(data, stackBy === 'consumer' ? consumerName : (key) => key);
          return (
            <>
              <p className="total">
                <span className="emphasis" data-testid="spend-total">
                  {formatUsd(data.totalUsd)}
                </span>{' '}
                in {periodInfo.windowLabel}
                {data.accruedAt !== null && <span className="muted"> (up to {formatDateTime(data.accruedAt)})</span>}
              </p>
              <StackedCostChart series={stacked.series} rows={stacked.rows} period={period} stackedBy={STACK_LABELS[stackBy]} />
            </>
          );
        }}
      </QueryView>
    </section>
  );
}

function BudgetsSection() {
  const { queries } = useSignedIn();
  const consumerName = useConsumerName();
  const budgets = useQuery({ ...queries.budgets(), refetchInterval: REFRESH_MS.slow });
  return (
    <section aria-labelledby="budgets-heading" className="panel">
      <h2 id="budgets-heading">Budgets</h2>
      <QueryView query={budgets} what="budgets" isEmpty={(data) => data.budgets.length === 0} empty="No budgets set. Set one with `gpu-shopper budgets set`.">
        {(data) => (
          <div className="table-wrap">
            <table className="data-table stack-on-phone">
              <thead>
                <tr>
                  <th scope="col">For</th>
                  <th scope="col">Period</th>
                  <th scope="col" className="numeric">
                    Limit
                  </th>
                  <th scope="col" className="numeric">
                    Spent
                  </th>
                  <th scope="col" className="numeric">
                    Reserved
                  </th>
                  <th scope="col" className="numeric">
                    Left
                  </th>
                  <th scope="col">Used</th>
                  <th scope="col">Thresholds</th>
                  <th scope="col">At 100%</th>
                </tr>
              </thead>
              <tbody>
                {data.budgets.map((budget) => {
                  const crossed = budget.thresholdsPercent.filter((threshold) => budget.percentUsed >= threshold);
                  return (
                    <tr key={budget.id}>
                      <td data-label="For">
                        {consumerName(budget.consumerId)}
                        {budget.setBy === 'operator' && <span className="muted"> (set by an operator)</span>}
                      </td>
                      <td data-label="Period">
                        {budget.period} <span className="muted">since {formatDateTime(budget.periodStart)}</span>
                      </td>
                      <td data-label="Limit" className="numeric">
                        {formatUsd(budget.limitUsd)}
                      </td>
                      <td data-label="Spent" className="numeric">
                        {formatUsd(budget.spentUsd)}
                      </td>
                      <td data-label="Reserved" className="numeric">
                        {formatUsd(budget.reservedUsd)}
                      </td>
                      <td data-label="Left" className="numeric">
                        {formatUsd(budget.remainingUsd)}
                      </td>
                      <td data-label="Used">
                        <meter min={0} max={100} low={Math.min(...budget.thresholdsPercent, 100)} high={100} optimum={0} value={Math.min(budget.percentUsed, 100)} aria-label={`${formatPercent(budget.percentUsed)} used`} />{' '}
                        {formatPercent(budget.percentUsed)}
                      </td>
                      <td data-label="Thresholds">
                        {budget.thresholdsPercent.map((threshold) => `${threshold}%`).join(' · ')}
                        {crossed.length > 0 && <span className="warning-text"> (crossed {crossed.map((threshold) => `${threshold}%`).join(', ')})</span>}
                      </td>
                      <td data-label="At 100%">{budget.action}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </section>
  );
}

function ReconciliationSection() {
  const { queries } = useSignedIn();
  const reconciliation = useQuery({ ...queries.reconciliation(), refetchInterval: REFRESH_MS.slow });
  return (
    <section aria-labelledby="reconciliation-heading" className="panel">
      <h2 id="reconciliation-heading">Reconciliation with provider bills</h2>
      <QueryView query={reconciliation} what="reconciliation" isEmpty={(data) => data.results.length === 0} empty="No provider bill compared yet: sessions are reconciled as the providers report their charges.">
        {(data) => (
          <div className="table-wrap">
            <table className="data-table stack-on-phone">
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col" className="numeric">
                    Sessions
                  </th>
                  <th scope="col" className="numeric">
                    Our ledger
                  </th>
                  <th scope="col" className="numeric">
                    Provider billed
                  </th>
                  <th scope="col" className="numeric">
                    Difference
                  </th>
                  <th scope="col" className="numeric">
                    Drifting
                  </th>
                </tr>
              </thead>
              <tbody>
                {reconciliationByProvider(data.results).map((row) => (
                  <tr key={row.provider}>
                    <td data-label="Provider">{row.provider}</td>
                    <td data-label="Sessions" className="numeric">
                      {row.sessions}
                    </td>
                    <td data-label="Our ledger" className="numeric">
                      {formatUsd(row.ledgerUsd)}
                    </td>
                    <td data-label="Provider billed" className="numeric">
                      {formatUsd(row.providerUsd)}
                    </td>
                    <td data-label="Difference" className="numeric">
                      {formatUsd(row.differenceUsd)}
                      {row.differenceRatio !== null && <span className="muted"> ({formatPercent(row.differenceRatio * 100, 1)})</span>}
                    </td>
                    <td data-label="Drifting" className={`numeric${row.drifting > 0 ? ' warning-text' : ''}`}>
                      {row.drifting}
                    </td>
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
