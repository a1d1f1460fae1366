import { ChartLock } from '../../core/chart-lock';
import { Construct } from 'constructs';
import { Component } from '../../core/component';
import type { ClusterConfig } from '../../core/config/cluster';
import { inClusterService, KCloudConfig, KCloudNamespace } from './config';
import { Namespaces } from '../../core/namespaces';
import { CostPolicy } from './cost-policy';
import { KCloudCrds } from './kcloud-crds';
import { KCloudOptimizerOperator, METRICS_PORT, WEBHOOK_PORT } from './kcloud-optimizer-operator';
import { PowerPolicy } from './power-policy';
import { WorkloadOptimizer } from './workload-optimizer';

export interface KCloudProps {
  /** This component's slice of the environment configuration. */
  readonly config: KCloudConfig;
  /** The chart lock: where the CRDs come from (`kcloud-crds`). */
  readonly charts: ChartLock;
  readonly namespaces: Namespaces;
  /** The API server's addresses: it calls the webhooks, the operator calls it. */
  readonly apiServer: ClusterConfig['apiServer'];
  /** Operator replicas. */
  readonly replicas: number;
  /**
   * The cluster's Prometheus Operator, by the namespace its Prometheus runs in (`cluster.monitoringNamespace`,
   * a namespace the cluster creates): scrape the operator through a ServiceMonitor, from there.
   * @default - no monitoring stack: no ServiceMonitor, no scrapes admitted
   */
  readonly prometheusOperator?: { readonly namespace: string };
  /**
   * The MLOps namespaces the environment creates, which `{ mlops: 'training' | 'serving' }` in the
   * configuration stands for; one that is absent takes the resources placed in it out.
   * @default - none (MLOps off)
   */
  readonly mlopsNamespaces?: { readonly training?: string; readonly serving?: string };
}

/** A configured resource with its namespace resolved to a name. */
type Placed<T extends { namespace: KCloudNamespace }> = Omit<T, 'namespace'> & { namespace: string };

/**
 * The KCloud Workload Optimizer (seed 001): its namespace with the traffic it needs, the CRDs from the
 * upstream repository, the operator, and the environment's policies in a component of their own,
 * synced once the operator (and its validating webhook) is up.
 *
 * Resources (and the namespaces the mutating webhook sees) are placed by namespace name, or in one of
 * the MLOps namespaces (`{ mlops: 'training' }`), whatever the environment calls it; those placed in
 * an MLOps namespace the environment does not create are left out with it. The operator may reach
 * the Core Scheduler of `env.coreSchedulerUrl`: its Service's namespace, or the egress configured.
 *
 * Beyond each resource's own rules, the policies of one namespace must agree: a WorkloadOptimizer
 * may not allow more cost or power than a CostPolicy or PowerPolicy of its namespace (one without a
 * namespace selector, i.e. for that namespace) allows.
 */
export class KCloud extends Construct {
  readonly crds: KCloudCrds;
  readonly operator: KCloudOptimizerOperator;
  readonly policies?: Component;

  constructor(scope: Construct, id: string, props: KCloudProps) {
    super(scope, id);
    const { config } = props;
    const resolve = (n: KCloudNamespace): string | undefined => (typeof n === 'string' ? n : props.mlopsNamespaces?.[n.mlops]);
    const place = <T extends { namespace: KCloudNamespace }>(items: readonly T[]): Placed<T>[] =>
      items.flatMap((item) => {
        const namespace = resolve(item.namespace);
        return namespace === undefined ? [] : [{ ...item, namespace }];
      });
    const ns = props.namespaces.add({ name: config.namespace });
    ns.allowEgress({ name: 'kube-apiserver', peers: [{ cidrs: props.apiServer.cidrs }], ports: props.apiServer.ports.map((port) => ({ port })) });
    // The API server calls the admission webhooks from the control-plane hosts.
    ns.allowIngress({ name: 'webhooks', podSelector: { 'app.kubernetes.io/name': 'kcloud-operator' }, peers: [{ cidrs: props.apiServer.cidrs }], ports: [{ port: WEBHOOK_PORT }], fromNodes: true });
    const scheduler = config.env.coreSchedulerUrl;
    if (scheduler) {
      const service = inClusterService(scheduler);
      const egress = config.env.coreSchedulerEgress;
      ns.allowEgress(
        service
          ? { name: 'core-scheduler', peers: [{ namespaces: [service.namespace] }], ports: [{ port: service.port }] }
          : { name: 'core-scheduler', peers: [{ cidrs: egress?.cidrs ?? [] }], ports: (egress?.ports ?? []).map((port) => ({ port })) },
      );
    }
    // Prometheus scrapes the metrics only where the cluster runs a monitoring stack (the Prometheus
    // Operator's); its namespace is a stated fact of the cluster (`cluster.monitoringNamespace`), so
    // the rule 'netpol-unknown-namespace' knows it exists.
    if (props.prometheusOperator) {
      ns.allowIngress({
        name: 'metrics',
        podSelector: { 'app.kubernetes.io/name': 'kcloud-operator' },
        peers: [{ namespaces: [props.prometheusOperator.namespace] }],
        ports: [{ port: METRICS_PORT }],
      });
    }

    const crds = props.charts.get('kcloud-crds');
    this.crds = new KCloudCrds(this, 'Crds', { repository: crds.repoURL, revision: crds.version, namespace: config.namespace });
    this.crds.dependsOn(props.namespaces);
    this.operator = new KCloudOptimizerOperator(this, 'Operator', {
      namespace: config.namespace,
      image: config.image,
      replicas: props.replicas,
      optimizedNamespaces: config.optimizedNamespaces.flatMap((n) => resolve(n) ?? []),
      serviceMonitor: props.prometheusOperator !== undefined,
      env: config.env,
    });
    this.operator.dependsOn(this.crds, props.namespaces);

    const optimizers = place(config.optimizers);
    const costPolicies = place(config.costPolicies);
    const powerPolicies = place(config.powerPolicies);
    if (optimizers.length + costPolicies.length + powerPolicies.length === 0) return;
    const policies = new Component(this, 'Policies', { name: 'kcloud-policies' });
    policies.dependsOn(this.operator, props.namespaces);
    this.policies = policies;
    const costs = costPolicies.map((p) => new CostPolicy(policies, `Cost-${p.namespace}-${p.name}`, p));
    const powers = powerPolicies.map((p) => new PowerPolicy(policies, `Power-${p.namespace}-${p.name}`, p));
    for (const o of optimizers) {
      const wo = new WorkloadOptimizer(policies, `Optimizer-${o.namespace}-${o.name}`, o);
      checkAgainstPolicies(wo, costs, powers);
    }
  }
}

function checkAgainstPolicies(wo: WorkloadOptimizer, costs: readonly CostPolicy[], powers: readonly PowerPolicy[]): void {
  const o = wo.props;
  const problems: string[] = [];
  for (const c of costs.filter((p) => p.props.namespace === o.namespace && !p.props.namespaceSelector)) {
    const limit = c.props.costPerHourLimit;
    if (limit !== undefined && o.costConstraints && o.costConstraints.maxCostPerHour > limit) {
      problems.push(`prop 'spec.costConstraints.maxCostPerHour' ${o.costConstraints.maxCostPerHour} exceeds CostPolicy '${c.props.name}' costPerHourLimit ${limit}`);
    }
    const budget = c.props.budgetLimit;
    if (budget !== undefined && o.costConstraints?.budgetLimit !== undefined && o.costConstraints.budgetLimit > budget) {
      problems.push(`prop 'spec.costConstraints.budgetLimit' ${o.costConstraints.budgetLimit} exceeds CostPolicy '${c.props.name}' budgetLimit ${budget}`);
    }
  }
  for (const p of powers.filter((x) => x.props.namespace === o.namespace && !x.props.namespaceSelector)) {
    const cap = p.props.maxPowerUsage;
    if (cap !== undefined && o.powerConstraints && o.powerConstraints.maxPowerUsage > cap) {
      problems.push(`prop 'spec.powerConstraints.maxPowerUsage' ${o.powerConstraints.maxPowerUsage} exceeds PowerPolicy '${p.props.name}' maxPowerUsage ${cap}`);
    }
  }
  if (problems.length > 0) throw new Error(`[${wo.node.path}] WorkloadOptimizer '${o.name}' is inconsistent with its namespace's policies:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
