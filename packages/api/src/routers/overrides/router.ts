import { router } from '../../trpc';
import { approve, deny } from './decide';
import { list } from './list';

export const overridesRouter = router({ list, approve, deny });
