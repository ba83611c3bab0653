// The server's provider configuration (operators): configured or not, simulated, where the key
// comes from and its masked hint — never the key itself.
import type { RouterOutputs } from '@gpu-shopper/sdk';
import { renderTable, type TableView } from '../table';
import { instant } from './values';

export type ProviderStatus = RouterOutputs['admin']['providers']['providers'][number];

export function formatProviderList(providers: readonly ProviderStatus[], view: TableView = {}): string {
  return renderTable(
    [
      { header: 'PROVIDER', value: (status: ProviderStatus) => status.provider },
      { header: 'CONFIGURED', value: (status) => (status.configured ? 'yes' : 'no') },
      { header: 'SIMULATED', value: (status) => (status.simulated ? 'yes' : 'no') },
      { header: 'KEY FROM', value: (status) => status.source },
      { header: 'KEY', value: (status) => status.hint },
      { header: 'UPDATED', value: (status) => instant(status.updatedAt) },
    ],
    providers,
    view,
  );
}

/** One line for `config set vastai-key`: what the server now uses. */
export function describeProviderStatus(status: ProviderStatus): string {
  const key = status.hint === null ? '' : ` (key ${status.hint})`;
  const mode = status.simulated ? 'simulated' : status.configured ? 'live' : 'not configured';
  return `${status.provider}: ${mode}${key}, from ${status.source}`;
}
