// Fastify's JSON-schema compilers (Ajv and fast-json-stringify, some 240 CommonJS modules, about a
// tenth of the server's start) load when Fastify is constructed; no route of ours declares a schema
// (tRPC and trpc-to-openapi validate with zod), so these load them on first use instead.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;

// Fastify's own dependencies, resolved from Fastify as it resolves them (the versions it was built with).
const fromFastify = () => createRequire(createRequire(import.meta.url).resolve('fastify'));

let validatorFactory: ValidatorFactory | undefined;
let serializerFactory: SerializerFactory | undefined;

/** The compilers Fastify would build by default, each loaded the first time a route needs it. */
export const lazySchemaCompilers: Required<CompilersFactory> = {
  buildValidator: (externalSchemas, options) => (validatorFactory ??= (fromFastify()('@fastify/ajv-compiler') as () => ValidatorFactory)())(externalSchemas, options),
  buildSerializer: (externalSchemas, options) => (serializerFactory ??= (fromFastify()('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)())(externalSchemas, options),
};
