// The audit log as a table, newest first as the server sends it.
import type { AuditEvent } from '@gpu-shopper/sdk';
import { renderTable, type TableView } from '../table';
import { instant } from './values';

/** `{ period: 'month', limitUsd: 20 }` → "period=month limitUsd=20". */
function detailText(detail: AuditEvent['detail']): string {
  return Object.entries(detail)
    .map(([name, value]) => `${name}=${value === null ? '-' : String(value)}`)
    .join(' ');
}

export function formatAuditList(events: readonly AuditEvent[], nextCursor: number | null, view: TableView = {}): string {
  if (events.length === 0) return 'No audit entries.';
  const table = renderTable(
    [
      { header: 'AT', value: (event: AuditEvent) => instant(event.at) },
      { header: 'ACTION', value: (event) => event.action },
      { header: 'ACTOR', value: (event) => event.actorKeyId },
      { header: 'TARGET', value: (event) => event.target },
      { header: 'DETAIL', value: (event) => detailText(event.detail) },
    ],
    events,
    view,
  );
  return nextCursor === null ? table : `${table}\nmore: --cursor=${nextCursor}`;
}
