import type { IConstruct } from 'constructs';
import type { ChartPortValues } from '../checks/ports';
import type { z } from 'zod';
import type { ChartLock } from './chart-lock';
import { Component } from './component';
import type { AuthConfig } from './config/auth';
import type { ChatbotConfig } from '../mlops/chatbot/config';
import type { ClusterConfig, SliceIssue } from './config/cluster';
import type { MlopsConfig } from './config/mlops';
import type { ServingConfig } from './config/serving';
import type { GitOpsConfig } from './config/gitops';
import type { RegistryPolicyConfig } from './config/registry';
import type { Namespaces } from './namespaces';
import type { Platform } from './platform';

/**
 * Slices of other components a component may read where it serves them: the serving stack routes
 * the model API (`mlops.serving.route`) through its gateway and admits the chatbot's back end to the
 * mesh; the MLOps and chatbot components name the serving domain. Each read says why.
 */
export interface PeerSlices {
  readonly serving: ServingConfig;
  readonly mlops: MlopsConfig;
  readonly chatbot: ChatbotConfig;
}

/**
 * What a component's build is handed besides its own slice of configuration: the environment's
 * shared facts (tier, cluster, GitOps, registry policy, edge authentication), the chart lock, the
 * namespaces component, what the components registered before it built, and — only where one
 * component serves another — their slices (`peers`).
 */
export interface ComponentContext {
  readonly platform: Platform;
  /** The environment's name, for messages. */
  readonly environment: string;
  readonly tier: 'development' | 'production';
  readonly cluster: ClusterConfig;
  readonly gitops: GitOpsConfig;
  /** Where images come from and are relocated to. */
  readonly registry: RegistryPolicyConfig;
  /** Authentication at the platform's edge (`auth`: the site's OIDC issuer). */
  readonly auth: AuthConfig;
  readonly peers: PeerSlices;
  readonly charts: ChartLock;
  readonly namespaces: Namespaces;
  /** What an earlier component's `build` returned, by its key; undefined where it was not built. */
  built<T>(key: string): T | undefined;
  /** Every component of the platform by its name (`Component.name`), as of the call. */
  componentsByName(): ReadonlyMap<string, Component>;
}

/**
 * One component of the platform, as a package: the slice of configuration it reads (under
 * `components.<key>`), the rules that slice must meet against the cluster's facts, and how it is
 * built. The environment schema and `buildEnvironment` are derived from the list of these in
 * `lib/components.ts`; nothing else names a component.
 */
export interface ComponentDefinition<K extends string = string, S extends z.ZodTypeAny = z.ZodTypeAny, R = unknown> {
  /** Key under `components` in an environment's configuration. */
  readonly key: K;
  /** The slice's schema, with its defaults (`.default({})` where the component may be left out). */
  readonly schema: S;
  /** Problems of the slice that show only against the cluster's facts; paths relative to the slice. */
  readonly clusterIssues?: (slice: z.output<S>, cluster: ClusterConfig) => SliceIssue[];
  /** Builds the component under `ctx.platform`, or nothing where the slice leaves it off. */
  readonly build: (slice: z.output<S>, ctx: ComponentContext) => R | undefined;
  /**
   * Runs once every component is built, with what `build` returned: wiring that needs the others
   * (ordering after them, network access to them).
   */
  readonly connect?: (built: R, slice: z.output<S>, ctx: ComponentContext) => void;
  /** How the upstream charts the component installs set node ports from values (lib/checks/ports.ts). @default [] */
  readonly chartPorts?: readonly ChartPortValues[];
}

/** Any component definition, for code that iterates the registry (slice and result types erased). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyComponentDefinition = ComponentDefinition<string, any, any>;

/** Declares a component; the key's literal type carries into the environment schema. */
export function defineComponent<K extends string, S extends z.ZodTypeAny, R>(definition: ComponentDefinition<K, S, R>): ComponentDefinition<K, S, R> {
  return definition;
}

/** The `components` shape of the environment schema, from the registered definitions. */
export type ComponentsShape<T extends readonly AnyComponentDefinition[]> = {
  [D in T[number] as D['key']]: D['schema'];
};

/** The object a shape type names, from the definitions' keys and schemas; a key registered twice is an error. */
export function componentsShape<T extends readonly AnyComponentDefinition[]>(definitions: T): ComponentsShape<T> {
  const shape: Record<string, z.ZodTypeAny> = {};
  for (const d of definitions) {
    if (d.key in shape) throw new Error(`component key '${d.key}' is registered twice (lib/components.ts)`);
    shape[d.key] = d.schema;
  }
  return shape as ComponentsShape<T>;
}

/**
 * A component the cluster's facts switch on rather than a slice of its own (the ingress controller
 * where `cluster.ingress.install`, the GPU RuntimeClass where `cluster.gpu.createRuntimeClass`).
 * Built after every configured component, in registration order.
 */
export interface ClusterComponentDefinition<R = unknown> {
  /** For messages: the component's name. */
  readonly name: string;
  readonly build: (ctx: ComponentContext) => R | undefined;
  readonly connect?: (built: R, ctx: ComponentContext) => void;
  /** As {@link ComponentDefinition.chartPorts}. @default [] */
  readonly chartPorts?: readonly ChartPortValues[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyClusterComponentDefinition = ClusterComponentDefinition<any>;

export function defineClusterComponent<R>(definition: ClusterComponentDefinition<R>): ClusterComponentDefinition<R> {
  return definition;
}

/** Components under a construct, by name (`Component.name`). */
export function componentsByName(root: IConstruct): Map<string, Component> {
  return new Map(root.node.findAll().filter(Component.isComponent).map((c) => [c.name, c]));
}
