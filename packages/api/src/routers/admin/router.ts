import { router } from '../../trpc';
import { alerts, orphans } from './alerts';
import { createKey, listKeys, revokeKey, rotateKey } from './keys';
import { providers, setProviderKey } from './providers';
import { deliveries, setWebhook } from './webhooks';
import { whoami } from './whoami';

export const adminRouter = router({ createKey, listKeys, rotateKey, revokeKey, whoami, alerts, orphans, providers, setProviderKey, setWebhook, deliveries });
