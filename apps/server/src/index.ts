export * from './announce';
export * from './config';
export * from './logger';
export * from './start';
export * from './process-guards';
export * from './readiness';
