// ML router: job control (log following is a streamed raw route).
import { router } from '../trpc';
import { mlCommand } from './ml-command';

export const mlRouter = router({ command: mlCommand });
