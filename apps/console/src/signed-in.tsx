// Who is signed in: the key, what the server says it is (operator or which consumer), the SDK
// client for it and its queries. Every page below the sign-in reads this.
import { createContext, useContext } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { RouterOutputs, ShopperClient } from '@gpu-shopper/sdk';
import { REFRESH_MS, type ShopperQueries } from './api';
import { shortId } from './format';

export type Identity = RouterOutputs['admin']['whoami'];

export interface SignedIn {
  identity: Identity;
  isOperator: boolean;
  client: ShopperClient;
  queries: ShopperQueries;
  signOut(message?: string): void;
}

export const SignedInContext = createContext<SignedIn | null>(null);

export function useSignedIn(): SignedIn {
  const signedIn = useContext(SignedInContext);
  if (signedIn === null) throw new Error('useSignedIn outside a signed-in console');
  return signedIn;
}

/**
 * Consumer names by id: an operator reads them from the key list, a consumer knows only its own.
 * Sessions and costs name consumers by id; people know them by name.
 */
export function useConsumerName(): (consumerId: string | null) => string {
  const { identity, isOperator, queries } = useSignedIn();
  const keys = useQuery({ ...queries.keys(), enabled: isOperator, staleTime: REFRESH_MS.slow, refetchInterval: REFRESH_MS.slow });
  return (consumerId) => {
    if (consumerId === null) return 'All consumers';
    if (consumerId === identity.consumerId && identity.consumerName !== null) return identity.consumerName;
    return keys.data?.keys.find((key) => key.consumerId === consumerId)?.consumerName ?? shortId(consumerId);
  };
}
