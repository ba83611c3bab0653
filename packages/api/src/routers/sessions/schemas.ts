// Shapes shared by the session procedures.
import { z } from 'zod';

export const sessionIdInput = z.object({ id: z.string().min(1).max(64) });
