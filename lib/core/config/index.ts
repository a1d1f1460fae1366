export * from './ci';
export * from './cluster';
export * from './environment';
export * from './gitops';
export * from './kcloud';
export * from './parse';
export * from './registry';
export * from './toolhive';
