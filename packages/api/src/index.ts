export * from './context';
export * from './errors';
export * from './openapi';
export * from './root';
export { restSearchFilter } from './routers/inventory/rest-query';
