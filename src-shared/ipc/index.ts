export * from './names';
export * from './result';
export * from './contract';
export * from './bridge';
export * from './http';
export * from './mapping-sets';
export * from './field-labels';
