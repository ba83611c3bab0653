// The API's router as a client sees it: each procedure's kind, input and output, and the error
// shape, but not the server's context, whose entity manager reaches MikroORM, knex and the services.
// The type is inferred (never written out) so the declaration build prints it in full: the
// published .d.ts then needs @trpc/server's types and nothing from the server. Imported as a type
// only; nothing here runs.
import type { AppRouter as ServerRouter } from '@gpu-shopper/api';
import type { AnyProcedure, TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure, TRPCSubscriptionProcedure } from '@trpc/server';

// Every type below is written inline, not through a helper alias: a named alias would be printed
// by name, with the server's types as its arguments. The functions are declared, never defined,
// and exported only so that lint sees them used (they are used through `typeof`).
export declare function procedureView<TProcedure extends AnyProcedure>(
  procedure: TProcedure,
): TProcedure['_def']['type'] extends 'query'
  ? TRPCQueryProcedure<{ input: TProcedure['_def']['$types']['input']; output: TProcedure['_def']['$types']['output']; meta: unknown }>
  : TProcedure['_def']['type'] extends 'mutation'
    ? TRPCMutationProcedure<{ input: TProcedure['_def']['$types']['input']; output: TProcedure['_def']['$types']['output']; meta: unknown }>
    : TRPCSubscriptionProcedure<{ input: TProcedure['_def']['$types']['input']; output: TProcedure['_def']['$types']['output']; meta: unknown }>;

export declare function recordView<TRecord>(record: TRecord): {
  [TKey in keyof TRecord]: TRecord[TKey] extends AnyProcedure ? ReturnType<typeof procedureView<TRecord[TKey]>> : ReturnType<typeof recordView<TRecord[TKey]>>;
};

export declare function routerView<TRouter extends ServerRouter>(
  router: TRouter,
): TRPCBuiltRouter<
  {
    ctx: object;
    meta: object;
    // One level flattened: the error data is the API's ErrorData interface, which would be printed by name.
    errorShape: {
      [TKey in keyof TRouter['_def']['_config']['$types']['errorShape']]: TRouter['_def']['_config']['$types']['errorShape'][TKey] extends infer TValue
        ? TValue extends object
          ? { [TField in keyof TValue]: TValue[TField] }
          : TValue
        : never;
    };
    transformer: TRouter['_def']['_config']['$types']['transformer'];
  },
  ReturnType<typeof recordView<TRouter['_def']['record']>>
>;

declare const serverRouter: ServerRouter;

/** Never called: its inferred return type, printed in full in the .d.ts, is the point. */
export function clientRouter() {
  return routerView(serverRouter);
}

/** The API's router, procedures only: what `createTRPCClient`, `inferRouterInputs` and `inferRouterOutputs` take. */
export type AppRouter = ReturnType<typeof clientRouter>;
