export * from './cluster';
export * from './environment';
export * from './gitops';
export * from './parse';
export * from './registry';
export * from './serving';
export * from './toolhive';
