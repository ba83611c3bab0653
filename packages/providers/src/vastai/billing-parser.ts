// Reads Vast.ai /api/v0/charges pages into BillingCharge rows.
import { z } from 'zod';
import type { BillingCharge, BillingLineItem } from '../adapter';
import { ProviderContractError } from '../errors';

const ChargeItemSchema = z.looseObject({
  type: z.string(),
  description: z.string().nullable().optional(),
  amount: z.number(),
});

const ChargeSchema = z.looseObject({
  start: z.number(),
  end: z.number(),
  type: z.string().optional(),
  source: z.string().nullable(),
  description: z.string().nullable().optional(),
  amount: z.number(),
  items: z.array(ChargeItemSchema).optional(),
});

export const VastChargesPageSchema = z.looseObject({
  results: z.array(ChargeSchema),
  next_token: z.string().nullable().optional(),
});

function itemKind(type: string): BillingLineItem['kind'] {
  if (type === 'gpu') return 'gpu';
  if (type === 'disk') return 'disk';
  if (type === 'bwd' || type === 'bwu') return 'bandwidth';
  return 'other';
}

export function parseVastChargesPage(body: unknown): { charges: BillingCharge[]; nextToken: string | null } {
  const parsed = VastChargesPageSchema.safeParse(body);
  if (!parsed.success) throw new ProviderContractError('vastai', `charges response has an unexpected shape: ${parsed.error.issues[0]?.message ?? '?'}`);
  const charges: BillingCharge[] = [];
  for (const row of parsed.data.results) {
    const match = /^instance-(\d+)$/.exec(row.source ?? '');
    if (!match) continue;
    charges.push({
      instanceId: match[1]!,
      from: new Date(row.start * 1000).toISOString(),
      to: new Date(row.end * 1000).toISOString(),
      amountUsd: row.amount,
      items: (row.items ?? []).map((item) => ({ kind: itemKind(item.type), description: item.description ?? item.type, amountUsd: item.amount })),
    });
  }
  return { charges, nextToken: parsed.data.next_token ?? null };
}
