// The OpenAPI document, generated from the same routers that serve tRPC and REST.
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { appRouter } from './root';

export const REST_BASE_PATH = '/api/v1';

let cached: OpenAPIObject | null = null;

export function openApiDocument(baseUrl = ''): OpenAPIObject {
  if (cached !== null && baseUrl === '') return cached;
  const document = generateOpenApiDocument(appRouter, {
    title: 'Cloud GPU Shopper API',
    description:
      'One menu of GPU offers from Vast.ai and TensorDock, provisioning, lifecycle and costs. Authenticate with `Authorization: Bearer <API key>`.',
    version: '0.1.0',
    baseUrl: `${baseUrl}${REST_BASE_PATH}`,
    tags: ['inventory', 'sessions', 'costs', 'budgets', 'overrides', 'admin', 'nodes'],
  });
  if (baseUrl === '') cached = document;
  return document;
}
