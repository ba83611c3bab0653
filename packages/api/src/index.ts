export * from './context';
export * from './errors';
export * from './openapi';
export * from './root';
