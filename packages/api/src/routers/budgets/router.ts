import { router } from '../../trpc';
import { create } from './create';
import { remove } from './delete';
import { list } from './list';
import { status } from './status';

export const budgetsRouter = router({ create, list, status, delete: remove });
