// Budgets: a spending limit per consumer (or global) per period, with alert thresholds and an
// action when the limit is reached.
import { z } from 'zod';

export const BUDGET_PERIODS = ['day', 'month', 'total'] as const;
export const BudgetPeriodSchema = z.enum(BUDGET_PERIODS);
export type BudgetPeriod = z.infer<typeof BudgetPeriodSchema>;

export const BUDGET_ACTIONS = ['alert', 'block', 'shutdown'] as const;
export const BudgetActionSchema = z.enum(BUDGET_ACTIONS);
export type BudgetAction = z.infer<typeof BudgetActionSchema>;

export const ThresholdsPercentSchema = z
  .array(z.number().int().min(1).max(100))
  .min(1)
  .max(10)
  .refine((values) => new Set(values).size === values.length, 'thresholds must be distinct');

export const BudgetSchema = z.object({
  id: z.string(),
  /** null: a global budget over every consumer. */
  consumerId: z.string().nullable(),
  limitUsd: z.number().positive(),
  period: BudgetPeriodSchema,
  thresholdsPercent: z.array(z.number()),
  webhookUrl: z.string().nullable(),
  action: BudgetActionSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Budget = z.infer<typeof BudgetSchema>;
