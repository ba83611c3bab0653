// Vast keeps hosting and renting apart: a hosting account may rent only its own machines, and a create
// on anyone else's offer answers 403 "Offer N is not your own. Hosts can only rent their own machines."
// (the reference's recorded create error; Vast's hosting docs describe renting your own machine as the
// self-rental a host may do). A renter meets it by configuring a hosting account's key. The simulated
// account is a plain renter unless it is made the host of a `host_id` (the `accountHostId` option, or
// PUT /__admin/account); it is not kept in the state file, so a restart is a renter again unless told.
import type { Router, SimResponse } from '../shared/http-server';
import type { VastSimOffer } from './catalog';

export class VastHostAccount {
  constructor(public hostId: number | null = null) {}

  /** The 403 a create on `offer` gets from this account, or null when it may rent it. */
  refusal(offer: VastSimOffer): SimResponse | null {
    if (this.hostId === null || offer.record.host_id === this.hostId) return null;
    return {
      status: 403,
      body: { success: false, error: 'invalid_args', msg: `error 403/3586: Offer ${offer.id} is not your own. Hosts can only rent their own machines.`, ask_id: offer.id },
    };
  }
}

/** GET/PUT /__admin/account: `{"hostId": N}` makes the account the host of host_id N, `{"hostId": null}` a renter. */
export function registerHostAccountRoutes(router: Router, account: VastHostAccount): Router {
  return router
    .on('GET', '/__admin/account', () => ({ status: 200, body: { hostId: account.hostId } }))
    .on('PUT', '/__admin/account', (request) => {
      const hostId = (request.body as { hostId?: unknown } | undefined)?.hostId;
      if (hostId !== null && !(typeof hostId === 'number' && Number.isInteger(hostId) && hostId > 0)) {
        return { status: 400, body: { success: false, error: 'invalid_args', msg: 'hostId must be a positive whole number (a host_id) or null (a plain renter)' } };
      }
      account.hostId = hostId;
      return { status: 200, body: { hostId: account.hostId } };
    });
}
