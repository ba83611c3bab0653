import { router } from '../../trpc';
import { create } from './create';
import { remove } from './delete';
import { list } from './list';

export const budgetsRouter = router({ create, list, delete: remove });
