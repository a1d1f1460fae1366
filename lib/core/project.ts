import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppProject } from '../../imports/argoproj.io';
import { Component, IN_CLUSTER } from './component';
import { GroupKind, groupOf, isClusterScoped } from './kinds';
import { OutputChart } from './output-chart';
import { Platform } from './platform';
import { isRendered } from './rendered-objects';
import { UpstreamChart } from './upstream-chart';

/**
 * The Argo CD AppProject of an environment, restricted to what the platform uses: its sources (the
 * GitOps repository and each chart source, mirrored where the environment mirrors), the namespaces
 * its components deploy to, and the cluster-scoped kinds they create.
 *
 * Create it after every component: it reads them. It is synced by the root Application, one wave
 * before the child Applications that need it.
 */
export class Project extends OutputChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, 'apps/project.yaml');
    const platform = Platform.of(this);
    const components = platform.node.findAll().filter(Component.isComponent);

    const sources = new Set<string>([platform.gitops.repoURL]);
    const namespaces = new Set<string>();
    const clusterKinds = new Map<string, GroupKind>();
    const addKind = (gk: GroupKind) => clusterKinds.set(`${gk.group}/${gk.kind}`, gk);

    for (const c of components) {
      const app = c.application.toJson() as { spec: { source: { repoURL: string }; destination: { namespace?: string } } };
      sources.add(app.spec.source.repoURL);
      if (app.spec.destination.namespace) namespaces.add(app.spec.destination.namespace);
      if (c instanceof UpstreamChart) c.clusterResources.forEach(addKind);
      for (const obj of c.node.findAll()) {
        // What a chart renders does not widen the project: it must fit what Kompile declares
        // (destinations, the chart's declared cluster kinds), or the synth says where it does not.
        if (!(obj instanceof ApiObject) || obj === c.application || isRendered(obj)) continue;
        if (isClusterScoped(obj.apiVersion, obj.kind)) addKind({ group: groupOf(obj.apiVersion), kind: obj.kind });
        else if (obj.metadata.namespace) namespaces.add(obj.metadata.namespace);
      }
    }

    new AppProject(this, 'Resource', {
      metadata: {
        name: platform.project,
        namespace: platform.gitops.argocdNamespace,
        // Delete=false: deleting the root Application, even cascading, leaves the project its child
        // Applications (which carry Delete=false too) belong to.
        annotations: { 'argocd.argoproj.io/sync-wave': '-1', 'argocd.argoproj.io/sync-options': 'Delete=false' },
      },
      spec: {
        description: `Kompile platform, environment ${platform.environment}`,
        sourceRepos: [...sources].sort(),
        destinations: [...namespaces].sort().map((namespace) => ({ server: IN_CLUSTER, namespace })),
        clusterResourceWhitelist: [...clusterKinds.keys()].sort().map((k) => clusterKinds.get(k)!),
        orphanedResources: { warn: true },
      },
    });
  }
}
