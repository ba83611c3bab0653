import { router } from '../../trpc';
import { reconciliation } from './reconciliation';
import { session } from './session';
import { summary } from './summary';

export const costsRouter = router({ summary, session, reconciliation });
