import * as path from 'node:path';
import { callerFile, ConfigLayer, EnvironmentInput, layersOf, recordLayers } from '../lib/core/config';
import { IMAGE_PINS } from '../lib/core/image-pins';

/** A demonstration signing key's public half (ECDSA P-256); see `components.ci.signing` below. */
export const DEMO_SIGNING_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAErGAlprxun5Vpl3A3OIxT65eOk8gK
x+x7UkOTLDnSySSoUVfm6fJVefJ0oOG+1j4mc4XuqnuLeZTvj3Ec3kOPSw==
-----END PUBLIC KEY-----
`;

/**
 * The platform's own registry (seed 002's `registry.local`, on its NodePort): the one place its
 * address is written. CI pushes there, and the images CI builds are named from it.
 */
export const PLATFORM_REGISTRY = 'registry.local:30500';

/** The KCloud operator image: upstream publishes none, the platform's CI builds it. */
const KCLOUD_OPERATOR = `${PLATFORM_REGISTRY}/kcloud/kcloud-operator`;

/**
 * Seed 002's chatbot images, built by the Jenkins jobs from the GitLab projects of the same names
 * (`chatbot/backend`, `chatbot/frontend`) and rolled out to the `chatbot` component by Image Updater.
 */
const CHATBOT_BACKEND = `${PLATFORM_REGISTRY}/chatbot/backend`;
const CHATBOT_FRONTEND = `${PLATFORM_REGISTRY}/chatbot/frontend`;

/** Seed 004's training and model API images, built by the platform's CI. */
const IRIS_TRAINING_IMAGE = `${PLATFORM_REGISTRY}/ops-demo/training:1.0.0`;
export const IRIS_SERVING_IMAGE = `${PLATFORM_REGISTRY}/ops-demo/serving:1.0.0`;

/** One run of seed 004's `./k8s/train.sh --n-estimators N --max-depth D --run-name R`, logged to the MLflow experiment `iris`. */
function irisRun(runName: string, nEstimators: number, maxDepth: number) {
  return { name: `iris-${runName}`, image: IRIS_TRAINING_IMAGE, command: ['python', 'train.py'], hyperParameters: { 'n-estimators': nEstimators, 'max-depth': maxDepth }, runName, mlflowExperiment: 'iris' };
}

/** What every environment shares; each stack file states only how it differs. */
export const base = {
  gitops: {
    repoURL: 'https://git.example.com/platform/kompile-gitops.git',
    targetRevision: 'main',
    path: 'dist',
  },
  // The site's OpenID Connect provider (placeholders, like the example.com hosts here): the model
  // APIs and the chatbot's /api accept only its JWTs issued to this audience.
  auth: {
    oidc: { issuer: 'https://sso.example.com', jwksUri: 'https://sso.example.com/jwks.json', audiences: ['kompile-platform'] },
  },
  components: {
    toolhive: {
      servers: [
        {
          // The MCP reference "fetch" server: retrieves web pages for an assistant (seed 000's ToolHive use).
          name: 'fetch',
          image: IMAGE_PINS.reference('gofetch'),
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
      // The seed's four runs ("실험 1-4"), each as its `train.sh` line names it: baseline (100 trees of
      // depth 5, as its step 6 runs it), more trees, deeper trees, both at once ("optimized", 300/15).
      // The model API's Service is `iris-serving-service` (`<name>-service`), as its commands name it.
      experiments: [irisRun('baseline', 100, 5), irisRun('more-trees', 200, 5), irisRun('deeper-trees', 100, 20), irisRun('optimized', 300, 15)],
      serving: {
        name: 'iris-serving',
        image: IRIS_SERVING_IMAGE,
      },
    },
    // Seed 002's chatbot; its images are built by the platform's CI and pushed to its registry.
    chatbot: {
      enabled: true,
      backend: { image: `${CHATBOT_BACKEND}:1.0.0` },
      frontend: { image: `${CHATBOT_FRONTEND}:1.0.0` },
    },
    ci: {
      registry: {
        host: PLATFORM_REGISTRY,
        exposure: { nodePort: 30500 },
        // The platform's CI builds these outside the chatbot jobs: its credential may push them too
        // (only named repositories; the jobs' own and Kaniko's cache are derived).
        access: { ci: { repositories: [KCLOUD_OPERATOR, IRIS_TRAINING_IMAGE, IRIS_SERVING_IMAGE].map((i) => i.slice(PLATFORM_REGISTRY.length + 1).replace(/:[^/]+$/, '')) } },
      },
      // Seed 002's loop: a push to a chatbot project triggers its job through the GitLab webhook;
      // Kaniko builds the image, and a release tag (1.2.0 or v1.2.0) is pushed as <image>:<tag>.
      jenkins: {
        jobs: [
          { name: 'chatbot-backend', project: 'chatbot/backend', image: CHATBOT_BACKEND },
          { name: 'chatbot-frontend', project: 'chatbot/frontend', image: CHATBOT_FRONTEND },
        ],
      },
      // The public half of the key pair CI signs release images with (cosign.pub); its private half is
      // the Secret `image-signing-key` in the agents' namespace, created out of band (docs/security.md).
      // This is a demonstration key whose private half was discarded when it was made: a site sets
      // the cosign.pub of its own key pair, or the production tiers' admission refuses every image
      // of the platform registry.
      signing: { publicKey: DEMO_SIGNING_PUBLIC_KEY },
      imageUpdater: {
        applications: [
          // Each release is pushed as <image>:<version> and <image>:release too (the jobs' default
          // channelTag; the operator's own CI does the same): Image Updater follows the digest of
          // `release` and writes <image>:release@sha256:… to its write branch.
          { component: 'kcloud-optimizer', images: [{ alias: 'operator', image: KCLOUD_OPERATOR }] },
          { component: 'chatbot', images: [{ alias: 'backend', image: CHATBOT_BACKEND }, { alias: 'frontend', image: CHATBOT_FRONTEND }] },
        ],
      },
    },
    kcloud: {
      image: `${KCLOUD_OPERATOR}:v0.1.0`,
      // Seed 004's split: training jobs and the serving API, in the MLOps component's namespaces
      // whatever an environment names them (left out where it creates none).
      optimizedNamespaces: [{ mlops: 'training' }, { mlops: 'serving' }],
      optimizers: [
        {
          // Seed 001's training example, in the training namespace: 4 GPUs, spot preferred, a
          // 1200 USD budget (50 USD/h for a day), 2 kW cap (the webhook estimates ~1.5 kW).
          name: 'training',
          namespace: { mlops: 'training' },
          workloadType: 'training',
          priority: 80,
          resources: { cpu: '16', memory: '64Gi', gpu: 4 },
          costConstraints: { maxCostPerHour: 50, preferSpot: true, budgetLimit: 1200 },
          powerConstraints: { maxPowerUsage: 2000, preferGreen: true },
          placementPolicy: { affinity: [{ type: 'gpu_workload', key: 'nvidia.com/gpu.present', value: 'true', weight: 100 }] },
          autoScaling: { minReplicas: 1, maxReplicas: 4, metrics: [{ type: 'cost', threshold: 80 }, { type: 'power', threshold: 1800 }] },
        },
        {
          // Seed 001's serving example: latency-driven scaling between 2 and 20 replicas.
          name: 'serving',
          namespace: { mlops: 'serving' },
          workloadType: 'serving',
          priority: 90,
          resources: { cpu: '8', memory: '32Gi', gpu: 1 },
          costConstraints: { maxCostPerHour: 25, budgetLimit: 18000 },
          powerConstraints: { maxPowerUsage: 1000 },
          autoScaling: { minReplicas: 2, maxReplicas: 20, metrics: [{ type: 'latency', threshold: 100 }] },
        },
      ],
      costPolicies: [
        { name: 'training-budget', namespace: { mlops: 'training' }, budgetLimit: 30000, costPerHourLimit: 100, spotInstancePolicy: { enabled: true, maxInterruptionRate: 0.2 }, alertThresholds: { budgetUtilization: 0.8 } },
        { name: 'serving-budget', namespace: { mlops: 'serving' }, budgetLimit: 20000, costPerHourLimit: 30, alertThresholds: { budgetUtilization: 0.9, costSpike: 1.5 } },
      ],
      powerPolicies: [
        { name: 'training-power', namespace: { mlops: 'training' }, maxPowerUsage: 4000, efficiencyTarget: 0.8, powerAwareScheduling: { enabled: true, powerThreshold: 3500 } },
        { name: 'serving-power', namespace: { mlops: 'serving' }, maxPowerUsage: 1500, efficiencyTarget: 0.7, greenEnergyPolicy: { enabled: true, renewablePercentage: 0.3 } },
      ],
    },
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

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** What a stack file writes over the base: what the base holds (gitops, components) may be left out or given in part. */
export type EnvironmentOverrides = Omit<EnvironmentInput, keyof typeof base> & DeepPartial<Pick<EnvironmentInput, keyof typeof base>>;

/** The repository: stack files are named relative to it in configuration errors. */
const ROOT = path.dirname(__dirname);
const relative = (file: string) => (path.relative(ROOT, file).startsWith('..') ? file : path.relative(ROOT, file).split(path.sep).join('/'));

function layer(values: unknown, fn: (...args: never[]) => unknown): ConfigLayer | undefined {
  const file = callerFile(fn);
  return file ? { file: relative(file), values } : undefined;
}

const BASE_LAYER: ConfigLayer = { file: relative(__filename), values: base };

/**
 * An environment: the base with its own differences on top. Parsed (and checked) later, once; a
 * problem is reported against the file that wrote the value (this one for the base's values).
 */
export function defineEnvironment(overrides: EnvironmentOverrides): EnvironmentInput {
  const env = merge(base as unknown as EnvironmentInput, overrides);
  const own = layer(overrides, defineEnvironment);
  return own ? recordLayers(env, [BASE_LAYER, own]) : env;
}

/** An environment derived from another (as airgap from prod): its differences on top of that one's. */
export function deriveEnvironment(from: EnvironmentInput, overrides: DeepPartial<EnvironmentInput>): EnvironmentInput {
  const env = merge(from, overrides);
  const own = layer(overrides, deriveEnvironment);
  const inherited = layersOf(from);
  return own && inherited.length > 0 ? recordLayers(env, [...inherited, own]) : env;
}
