// Spend over time, stacked by consumer, provider or GPU, with the same figures as a table (for
// screen readers, and for reading exact amounts).
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CostRow, CostSeries } from '../cost-shapes';
import { formatBucket, formatUsd } from '../format';
import { AXIS_TICK, seriesColour } from './chart-theme';

export interface StackedCostChartProps {
  series: CostSeries[];
  rows: CostRow[];
  period: 'hour' | 'day' | 'month';
  /** What the stacks are ("consumer"), for the labels. */
  stackedBy: string;
}

export function StackedCostChart({ series, rows, period, stackedBy }: StackedCostChartProps) {
  const data = rows.map((row) => ({ label: formatBucket(row.start, period), ...row.values }));
  return (
    <figure className="chart" aria-labelledby="cost-chart-caption">
      <figcaption id="cost-chart-caption" className="visually-hidden">
        Spend per {period}, stacked by {stackedBy}
      </figcaption>
      <ResponsiveContainer width="100%" height={320}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={AXIS_TICK} minTickGap={12} />
          <YAxis tickFormatter={(value: number) => formatUsd(value)} tick={AXIS_TICK} width={80} />
          <Tooltip formatter={(value) => formatUsd(Number(value))} />
          <Legend />
          {series.map((item, index) => (
            <Bar key={item.id} dataKey={item.id} name={item.label} stackId="spend" fill={seriesColour(item.id, index)} maxBarSize={72} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <details>
        <summary>Figures per {period}</summary>
        <div className="table-wrap">
          <table className="data-table" aria-label={`Spend per ${period} by ${stackedBy}`}>
            <thead>
              <tr>
                <th scope="col">{period === 'month' ? 'Month' : period === 'day' ? 'Day' : 'Hour'} (UTC)</th>
                {series.map((item) => (
                  <th scope="col" className="numeric" key={item.id}>
                    {item.label}
                  </th>
                ))}
                <th scope="col" className="numeric">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.start}>
                  <th scope="row">{formatBucket(row.start, period)}</th>
                  {series.map((item) => (
                    <td className="numeric" key={item.id}>
                      {formatUsd(row.values[item.id] ?? 0)}
                    </td>
                  ))}
                  <td className="numeric">{formatUsd(row.totalUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
