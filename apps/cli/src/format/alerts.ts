// Operator alerts and detected orphans as tables, newest first as the server sends them.
import type { RouterOutputs } from '@gpu-shopper/sdk';
import { consumerLabel, renderTable, type TableView } from '../table';
import { instant } from './values';

export type Alert = RouterOutputs['admin']['alerts']['alerts'][number];

export function formatAlertList(alerts: readonly Alert[], view: TableView = {}): string {
  if (alerts.length === 0) return 'No alerts.';
  return renderTable(
    [
      { header: 'AT', value: (alert: Alert) => instant(alert.createdAt) },
      { header: 'KIND', value: (alert) => alert.kind },
      { header: 'SESSION', value: (alert) => alert.sessionId },
      { header: 'CONSUMER', value: (alert) => (alert.consumerId === null ? null : consumerLabel(view, alert.consumerId)) },
      { header: 'MESSAGE', value: (alert) => alert.message },
    ],
    alerts,
    view,
  );
}

export function formatOrphanList(orphans: readonly Alert[], view: TableView = {}): string {
  if (orphans.length === 0) return 'No orphaned instances found.';
  return renderTable(
    [
      { header: 'AT', value: (orphan: Alert) => instant(orphan.createdAt) },
      { header: 'PROVIDER', value: (orphan) => orphan.provider },
      { header: 'INSTANCE', value: (orphan) => orphan.instanceId },
      { header: 'SESSION', value: (orphan) => orphan.sessionId },
      { header: 'MESSAGE', value: (orphan) => orphan.message },
    ],
    orphans,
    view,
  );
}
