import { router } from '../../trpc';
import { search } from './search';

export const inventoryRouter = router({ search });
