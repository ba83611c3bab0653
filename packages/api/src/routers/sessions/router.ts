import { router } from '../../trpc';
import { create } from './create';
import { credentials } from './credentials';
import { done } from './done';
import { extend } from './extend';
import { get } from './get';
import { heartbeat } from './heartbeat';
import { list } from './list';
import { shutdown } from './shutdown';

export const sessionsRouter = router({ create, list, get, credentials, done, extend, shutdown, heartbeat });
