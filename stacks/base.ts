import { EnvironmentInput } from '../lib/core/config';

/** The seed-004 model API image, pushed to the platform registry by the CI pipeline. */
export const IRIS_SERVING_IMAGE = 'registry.local:5000/ops-demo/serving:1.0.0';

/** What every environment shares; each stack file states only how it differs. */
export const base = {
  gitops: {
    repoURL: 'https://git.example.com/platform/kompile-gitops.git',
    targetRevision: 'main',
    path: 'dist',
  },
  components: {
    toolhive: {
      version: '0.44.0',
      servers: [
        {
          // The MCP reference "fetch" server: retrieves web pages for an assistant (seed 000's ToolHive use).
          name: 'fetch',
          image: 'ghcr.io/stackloklabs/gofetch/server:1.0.1',
          transport: 'streamable-http',
          mcpPort: 8080,
          proxyPort: 8080,
        },
      ],
    },
    serving: {
      enabled: true,
      domain: 'models.example.com',
      models: [
        {
          // Seed 003's first model: scikit-learn iris, KServe's own example model.
          name: 'sklearn-iris',
          format: 'sklearn',
          storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model',
          minReplicas: 1,
          maxReplicas: 2,
          resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        },
      ],
    },
    mlops: {
      enabled: true,
      // Seed 004: the iris random forest, trained with several parameter sets in parallel, each
      // logged to MLflow, and served by the API (two replicas, HPA 2-10 at 70% CPU). Images are
      // the seed's training/serving images, pushed to the platform registry by the CI pipeline.
      experiments: [
        {
          name: 'iris-baseline',
          image: 'registry.local:5000/ops-demo/training:1.0.0',
          command: ['python', 'train.py'],
          hyperParameters: { 'n-estimators': 100, 'max-depth': 5 },
          runName: 'baseline',
          mlflowExperiment: 'iris',
        },
        {
          name: 'iris-more-trees',
          image: 'registry.local:5000/ops-demo/training:1.0.0',
          command: ['python', 'train.py'],
          hyperParameters: { 'n-estimators': 200, 'max-depth': 5 },
          runName: 'more-trees',
          mlflowExperiment: 'iris',
        },
        {
          name: 'iris-deeper-trees',
          image: 'registry.local:5000/ops-demo/training:1.0.0',
          command: ['python', 'train.py'],
          hyperParameters: { 'n-estimators': 100, 'max-depth': 20 },
          runName: 'deeper-trees',
          mlflowExperiment: 'iris',
        },
      ],
      serving: {
        name: 'iris-serving',
        image: IRIS_SERVING_IMAGE,
      },
    },
    // Seed 002's chatbot; images from the private registry the CI pushes to (registry.local:5000).
    chatbot: { enabled: true },
  },
} satisfies Partial<EnvironmentInput>;

/** Seed 003's GPU model: the TorchServe CIFAR-10 image classifier on one GPU. */
export const PYTORCH_CIFAR10 = {
  name: 'pytorch-cifar10',
  format: 'pytorch',
  storageUri: 'gs://kfserving-examples/models/torchserve/image_classifier/v1',
  gpu: 1,
  minReplicas: 1,
  maxReplicas: 2,
  resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } },
} as const;

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of plain objects; arrays and scalars of `over` replace those of `under`. */
export function merge<T>(under: T, over: unknown): T {
  if (!isPlain(under) || !isPlain(over)) return (over === undefined ? under : over) as T;
  const out: Plain = { ...under };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out as T;
}

/** An environment: the base with its own differences on top. Parsed (and checked) later, once. */
export function defineEnvironment(overrides: EnvironmentInput): EnvironmentInput {
  return merge(base as unknown as EnvironmentInput, overrides);
}
