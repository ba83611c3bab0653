// One session's cost per hour, compute and storage stacked, with its figures as a table too.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBucket, formatUsd } from '../format';
import { AXIS_TICK, seriesColour } from './chart-theme';

export function HourlyCostChart({ hours }: { hours: { start: string; computeUsd: number; storageUsd: number }[] }) {
  const rows = hours.map((hour) => ({ label: formatBucket(hour.start, 'hour'), compute: hour.computeUsd, storage: hour.storageUsd }));
  return (
    <figure className="chart chart-small" aria-label="Cost per hour, compute and storage">
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={AXIS_TICK} />
          <YAxis tickFormatter={(value: number) => formatUsd(value)} tick={AXIS_TICK} width={72} />
          <Tooltip formatter={(value) => formatUsd(Number(value))} />
          <Legend />
          <Bar dataKey="compute" name="Compute" stackId="cost" fill={seriesColour('s0', 0)} maxBarSize={48} isAnimationActive={false} />
          <Bar dataKey="storage" name="Storage" stackId="cost" fill={seriesColour('s1', 1)} maxBarSize={48} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <details>
        <summary>Figures per hour</summary>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Hour (UTC)</th>
              <th scope="col" className="numeric">
                Compute
              </th>
              <th scope="col" className="numeric">
                Storage
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label}>
                <td>{row.label}</td>
                <td className="numeric">{formatUsd(row.compute)}</td>
                <td className="numeric">{formatUsd(row.storage)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
