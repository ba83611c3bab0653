// Status router: composes the status procedures.
import { router } from '../trpc';
import { getStatus } from './get-status';

export const statusRouter = router({ get: getStatus });
