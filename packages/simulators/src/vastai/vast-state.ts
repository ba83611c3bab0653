// The Vast simulator's state file: the id counter (ids never repeat across restarts), which offers are
// rented, and every instance ever created with its offer kept as an id into the seeded catalog.
import { restoreInstance, storeInstance, type StoredInstance, type StoredStateHeader } from '../shared/instance-snapshot';
import type { SimInstance } from '../shared/lifecycle';
import type { VastSimOffer } from './catalog';
import type { VastInstanceData } from './instance-record';

type StoredVastData = Omit<VastInstanceData, 'offer'> & { offerId: number };

export interface VastSimState extends StoredStateHeader {
  provider: 'vastai';
  nextInstanceId: number;
  rentedOfferIds: number[];
  instances: StoredInstance<StoredVastData>[];
}

export function vastStateOf(header: StoredStateHeader, nextInstanceId: number, offers: VastSimOffer[], instances: Iterable<SimInstance<VastInstanceData>>): VastSimState {
  return {
    ...header,
    provider: 'vastai',
    nextInstanceId,
    rentedOfferIds: offers.filter((offer) => offer.rented).map((offer) => offer.id),
    instances: [...instances].map((instance) =>
      storeInstance(instance, ({ offer, ...data }) => ({ ...structuredClone(data), offerId: offer.id })),
    ),
  };
}

/** Marks the stored rentals on the catalog and rebuilds the instances on its offers. */
export function restoreVastState(state: VastSimState, offersById: Map<number, VastSimOffer>): SimInstance<VastInstanceData>[] {
  for (const id of state.rentedOfferIds) {
    const offer = offersById.get(id);
    if (offer) offer.rented = true;
  }
  return state.instances.map((stored) =>
    restoreInstance(stored, ({ offerId, ...data }) => {
      const offer = offersById.get(offerId);
      if (!offer) throw new Error(`vastai state: instance ${stored.id} is on offer ${offerId}, which this catalog lacks (was --offer-count changed?)`);
      return { ...data, offer };
    }),
  );
}
