// Files router: the JSON part of file access (uploads and downloads are streamed raw routes).
import { router } from '../trpc';
import { listFiles } from './list-files';

export const filesRouter = router({ list: listFiles });
