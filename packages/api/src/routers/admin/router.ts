import { router } from '../../trpc';
import { alerts, orphans } from './alerts';
import { createKey, listKeys, revokeKey } from './keys';
import { providers, setProviderKey } from './providers';
import { deliveries, setWebhook } from './webhooks';
import { whoami } from './whoami';

export const adminRouter = router({ createKey, listKeys, revokeKey, whoami, alerts, orphans, providers, setProviderKey, setWebhook, deliveries });
