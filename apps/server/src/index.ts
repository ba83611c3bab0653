export * from './announce';
export * from './config';
export * from './logger';
export * from './start';
