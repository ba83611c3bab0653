import { router } from '../../trpc';
import { create } from './create';
import { done } from './done';
import { extend } from './extend';
import { get } from './get';
import { list } from './list';
import { shutdown } from './shutdown';

export const sessionsRouter = router({ create, list, get, done, extend, shutdown });
