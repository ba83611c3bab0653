import { router } from '../../trpc';
import { summary } from './summary';

export const costsRouter = router({ summary });
