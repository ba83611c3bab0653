// Inventory: the menu of GPU offers with the API's own filters (applied by the server), sortable by
// any column here, with the price per GPU-hour beside the offer's price.
import { useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Offer } from '@gpu-shopper/sdk';
import { REFRESH_MS } from '../api';
import { formatAgo, formatUsdPerHour } from '../format';
import { useServerNow } from '../server-clock';
import { EMPTY_FILTER, searchInputOf, type InventoryFilterForm, type SearchInput } from '../inventory-filter';
import { useSignedIn } from '../signed-in';
import { QueryView } from '../components/query-view';
import { SortHeader, useSorted } from '../components/sort-header';

const perGpuHour = (offer: Offer) => offer.pricePerHourUsd / offer.gpuCount;

const COLUMNS = {
  gpu: (offer: Offer) => offer.gpuModel,
  gpus: (offer: Offer) => offer.gpuCount,
  vram: (offer: Offer) => offer.vramGbPerGpu,
  price: (offer: Offer) => offer.pricePerHourUsd,
  perGpu: perGpuHour,
  provider: (offer: Offer) => offer.provider,
  region: (offer: Offer) => offer.region ?? offer.country,
  reliability: (offer: Offer) => offer.reliability,
  available: (offer: Offer) => offer.availableForHours,
};

export function InventoryPage() {
  const { queries } = useSignedIn();
  const [form, setForm] = useState<InventoryFilterForm>(EMPTY_FILTER);
  const [applied, setApplied] = useState<SearchInput>(searchInputOf(EMPTY_FILTER));
  const search = useQuery({ ...queries.inventory(applied), refetchInterval: REFRESH_MS.slow, placeholderData: keepPreviousData });
  const field = <K extends keyof InventoryFilterForm>(key: K) => ({
    value: form[key],
    onChange: (event: { target: { value: string } }) => setForm((current) => ({ ...current, [key]: event.target.value as InventoryFilterForm[K] })),
  });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setApplied(searchInputOf(form));
  };

  return (
    <>
      <form className="filters panel" onSubmit={apply} aria-label="Offer filters">
        <label>
          GPU
          <input {...field('gpu')} placeholder="e.g. 4090" maxLength={64} />
        </label>
        <label>
          Min VRAM (GB)
          <input {...field('minVram')} type="number" min={0} max={1024} step="any" inputMode="decimal" />
        </label>
        <label>
          Max $/h
          <input {...field('maxPrice')} type="number" min={0} max={1000} step="any" inputMode="decimal" />
        </label>
        <label>
          Provider
          <select {...field('provider')}>
            <option value="">Any</option>
            <option value="vastai">Vast.ai</option>
            <option value="tensordock">TensorDock</option>
          </select>
        </label>
        <label>
          Region
          <input {...field('region')} placeholder="country or region" maxLength={64} />
        </label>
        <label>
          Min reliability (0-1)
          <input {...field('minReliability')} type="number" min={0} max={1} step="0.01" inputMode="decimal" />
        </label>
        <label>
          Min GPUs
          <input {...field('minGpus')} type="number" min={1} max={64} step={1} inputMode="numeric" />
        </label>
        <label>
          Server order
          <select {...field('sort')}>
            <option value="price">Price</option>
            <option value="reliability">Reliability</option>
            <option value="vram">VRAM</option>
          </select>
        </label>
        <label>
          At most
          <input {...field('limit')} type="number" min={1} max={1000} step={1} inputMode="numeric" />
        </label>
        <div className="filter-actions">
          <button type="submit" className="button button-primary">
            Search
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setForm(EMPTY_FILTER);
              setApplied(searchInputOf(EMPTY_FILTER));
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <QueryView query={search} what="offers" isEmpty={(data) => data.offers.length === 0} empty="No offer matches these filters. Loosen one (price, VRAM, region) and search again.">
        {(data) => <OffersTable offers={data.offers} providers={data.providers} />}
      </QueryView>
    </>
  );
}

function OffersTable({ offers, providers }: { offers: Offer[]; providers: { provider: string; status: string; offerCount: number; fetchedAt: string | null; rateLimited: boolean; error: string | null }[] }) {
  const now = useServerNow(10_000);
  const { sorted, sort, toggle } = useSorted<Offer, keyof typeof COLUMNS>(offers, COLUMNS, { key: 'perGpu', direction: 'ascending' });
  const header = (column: keyof typeof COLUMNS, label: string, numeric = false) => <SortHeader column={column} label={label} sort={sort} onSort={toggle} numeric={numeric} />;
  return (
    <>
      <ul className="provider-status" aria-label="Providers">
        {providers.map((provider) => (
          <li key={provider.provider} className={`provider-${provider.status}`}>
            <strong>{provider.provider}</strong>: {provider.offerCount} offers, {provider.status}
            {provider.fetchedAt !== null && `, fetched ${formatAgo(provider.fetchedAt, now)}`}
            {provider.rateLimited && ', rate limited'}
            {provider.error !== null && <span className="warning-text"> ({provider.error})</span>}
          </li>
        ))}
      </ul>
      <p className="count" role="status">
        {offers.length} offer{offers.length === 1 ? '' : 's'}
      </p>
      <div className="table-wrap">
        <table className="data-table stack-on-phone">
          <caption className="visually-hidden">GPU offers; the column headers sort the table</caption>
          <thead>
            <tr>
              {header('gpu', 'GPU')}
              {header('gpus', 'GPUs', true)}
              {header('vram', 'VRAM/GPU', true)}
              {header('price', '$/h', true)}
              {header('perGpu', '$/GPU-hour', true)}
              {header('provider', 'Provider')}
              {header('region', 'Region')}
              {header('reliability', 'Reliability', true)}
              {header('available', 'Available for', true)}
            </tr>
          </thead>
          <tbody>
            {sorted.map((offer) => (
              <tr key={offer.id}>
                <td data-label="GPU">
                  {offer.gpuModel}
                  {offer.stale && <span className="warning-text"> (stale)</span>}
                </td>
                <td data-label="GPUs" className="numeric">
                  {offer.gpuCount}
                </td>
                <td data-label="VRAM/GPU" className="numeric">
                  {offer.vramGbPerGpu} GB
                </td>
                <td data-label="$/h" className="numeric">
                  {formatUsdPerHour(offer.pricePerHourUsd)}
                </td>
                <td data-label="$/GPU-hour" className="numeric">
                  {formatUsdPerHour(perGpuHour(offer))}
                </td>
                <td data-label="Provider">{offer.provider}</td>
                <td data-label="Region">{offer.region ?? offer.country ?? '—'}</td>
                <td data-label="Reliability" className="numeric">
                  {offer.reliability === null ? '—' : `${Math.round(offer.reliability * 100)}%`}
                </td>
                <td data-label="Available for" className="numeric">
                  {offer.availableForHours === null ? '—' : `${Math.round(offer.availableForHours)} h`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
