export * from './context';
export * from './errors';
export * from './openapi';
export * from './root';
export { REST_SEARCH_PARAMETERS, restSearchFilter } from './routers/inventory/rest-query';
