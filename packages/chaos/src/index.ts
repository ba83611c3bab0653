// The chaos harness as a library: `runChaos(options)` returns the figures the CLI prints.
export { runChaos, type RunHooks } from './run-chaos';
export { defaultOptions, parseChaosArgs, FAULT_KINDS, DATABASES, type ChaosOptions, type DatabaseKind, type FaultKind } from './options';
export { GOALS, renderTable, type ChaosResult, type GoalCheck } from './report';
export { terminateActiveRuns } from './supervisor';
export type { BudgetFigures } from './budget-check';
export type { WebhookFigures } from './webhook-receiver';
export type { AnswerCounts } from './shopper-api';
