// API keys as a table: prefixes only — the secret is never stored, so never shown.
import type { ApiKeySummary } from '@gpu-shopper/sdk';
import { renderTable, type TableView } from '../table';
import { instant } from './values';

export function formatKeyList(keys: readonly ApiKeySummary[], view: TableView = {}): string {
  if (keys.length === 0) return 'No API keys.';
  return renderTable(
    [
      { header: 'ID', value: (key: ApiKeySummary) => key.id },
      { header: 'ROLE', value: (key) => key.role },
      { header: 'CONSUMER', value: (key) => key.consumerName },
      { header: 'PREFIX', value: (key) => `${key.prefix}…` },
      { header: 'CREATED', value: (key) => instant(key.createdAt) },
      { header: 'LAST USED', value: (key) => instant(key.lastUsedAt) },
      { header: 'EXPIRES', value: (key) => instant(key.expiresAt) },
      { header: 'ROTATED', value: (key) => instant(key.rotatedAt) },
      { header: 'REVOKED', value: (key) => instant(key.revokedAt), tone: (key) => (key.revokedAt === null ? null : 'bad') },
    ],
    keys,
    view,
  );
}
