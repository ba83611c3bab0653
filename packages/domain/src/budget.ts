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

/**
 * Who set a budget. An operator's budget is imposed on its consumer: the consumer sees it but only
 * an operator may change or delete it. A consumer's own budgets stay its own to manage.
 */
export const BUDGET_SETTERS = ['operator', 'consumer'] as const;
export const BudgetSetterSchema = z.enum(BUDGET_SETTERS);
export type BudgetSetter = z.infer<typeof BudgetSetterSchema>;

export const BudgetSchema = z.object({
  id: z.string(),
  /** null: a global budget over every consumer. */
  consumerId: z.string().nullable(),
  setBy: BudgetSetterSchema,
  limitUsd: z.number().positive(),
  period: BudgetPeriodSchema,
  thresholdsPercent: z.array(z.number()),
  webhookUrl: z.string().nullable(),
  action: BudgetActionSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Budget = z.infer<typeof BudgetSchema>;
