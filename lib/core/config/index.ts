export * from './chatbot';
export * from './cluster';
export * from './environment';
export * from './gitops';
export * from './mlops';
export * from './parse';
export * from './registry';
export * from './toolhive';
