import { router } from '../../trpc';
import { createKey, listKeys, revokeKey } from './keys';
import { whoami } from './whoami';

export const adminRouter = router({ createKey, listKeys, revokeKey, whoami });
