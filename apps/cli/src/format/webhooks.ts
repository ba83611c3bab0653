// The webhook delivery log as a table: what was sent where, and whether it arrived.
import type { RouterOutputs } from '@gpu-shopper/sdk';
import { renderTable, type TableView } from '../table';
import { instant } from './values';

type Delivery = RouterOutputs['admin']['deliveries']['deliveries'][number];

export function formatDeliveryList(deliveries: readonly Delivery[], view: TableView = {}): string {
  if (deliveries.length === 0) return 'No webhook deliveries.';
  return renderTable(
    [
      { header: 'ID', value: (delivery: Delivery) => delivery.id },
      { header: 'EVENT', value: (delivery) => delivery.event },
      { header: 'URL', value: (delivery) => delivery.url },
      { header: 'STATUS', value: (delivery) => delivery.status },
      { header: 'ATTEMPTS', value: (delivery) => delivery.attempts },
      { header: 'CREATED', value: (delivery) => instant(delivery.createdAt) },
      { header: 'DELIVERED', value: (delivery) => instant(delivery.deliveredAt) },
      { header: 'LAST ERROR', value: (delivery) => delivery.lastError },
    ],
    deliveries,
    view,
  );
}
