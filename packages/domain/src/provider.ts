// The GPU marketplaces we buy from.
import { z } from 'zod';

export const PROVIDER_NAMES = ['vastai', 'tensordock'] as const;
export const ProviderNameSchema = z.enum(PROVIDER_NAMES);
export type ProviderName = z.infer<typeof ProviderNameSchema>;
