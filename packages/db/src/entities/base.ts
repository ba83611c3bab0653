// Properties every entity shares. Timestamps are set by services from the injected clock,
// not by ORM hooks, so that tests control time.
import { p } from '@mikro-orm/core';

export const baseProperties = {
  id: p.string().primary(),
  createdAt: p.datetime(),
};
