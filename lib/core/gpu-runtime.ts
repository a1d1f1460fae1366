import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Component } from './component';

export interface GpuRuntimeProps {
  /** Name of the RuntimeClass GPU pods reference (`runtimeClassName`), e.g. `nvidia`. */
  readonly runtimeClassName: string;
  /**
   * The containerd runtime handler it selects: the `runtimes` entry of the NVIDIA Container Runtime
   * in each GPU node's containerd configuration. @default 'nvidia' - the name k3s configures and its
   * own RuntimeClass uses (k3s-io/k3s manifests/runtimes.yaml: `name: nvidia`, `handler: nvidia`)
   */
  readonly handler?: string;
}

/**
 * The `gpu-runtime` component: the RuntimeClass GPU pods run with, for a cluster that lacks it
 * (`cluster.gpu.createRuntimeClass`). Without it the API server refuses every pod naming it.
 * Components that run GPU pods depend on this one, so it syncs in an earlier wave.
 *
 * The RuntimeClass is cluster-scoped and its `handler` immutable (node.k8s.io/v1): changing the
 * handler makes Argo CD's sync fail until the object is deleted and recreated.
 */
export class GpuRuntime extends Component {
  readonly runtimeClass: k8s.KubeRuntimeClass;

  constructor(scope: Construct, id: string, props: GpuRuntimeProps) {
    super(scope, id, { name: 'gpu-runtime' });
    this.runtimeClass = new k8s.KubeRuntimeClass(this, 'Resource', {
      metadata: { name: props.runtimeClassName },
      handler: props.handler ?? 'nvidia',
    });
  }
}

/** Whether any object of the component names RuntimeClass `name` in a `runtimeClassName` field (pod templates, InferenceService predictors). */
export function usesRuntimeClass(component: Component, name: string): boolean {
  const names = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(names);
    if (typeof node !== 'object' || node === null) return false;
    return Object.entries(node).some(([k, v]) => (k === 'runtimeClassName' && v === name) || names(v));
  };
  const json = (o: ApiObject): unknown => {
    try {
      return o.toJson();
    } catch {
      return undefined; // the synth reports an object that does not render, with its path
    }
  };
  return component.node.findAll().some((c) => c instanceof ApiObject && c !== component.application && names(json(c)));
}
