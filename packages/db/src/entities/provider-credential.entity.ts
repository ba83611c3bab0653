// A provider key configured by an operator at run time, encrypted at rest; never returned.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PROVIDER_NAMES } from '@gpu-shopper/domain';

export const ProviderCredentialEntity = defineEntity({
  name: 'ProviderCredential',
  tableName: 'provider_credentials',
  properties: {
    provider: p.enum([...PROVIDER_NAMES]).primary(),
    keyEncrypted: p.text(),
    /** e.g. "…c0ffee": enough to tell keys apart, useless to an attacker. */
    hint: p.string(),
    updatedAt: p.datetime(),
    updatedBy: p.string(),
  },
});
export type ProviderCredentialRow = InferEntity<typeof ProviderCredentialEntity>;
