export * from './cluster';
export * from './environment';
export * from './gitops';
export * from './parse';
export * from './registry';
export * from './toolhive';
export * from './vendored-charts';
