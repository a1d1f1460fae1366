/**
 * Ingresses that can never become Healthy before the next sync wave.
 *
 * Argo CD counts an Ingress Healthy only once `status.loadBalancer.ingress` is non-empty and
 * Progressing until then (argoproj/gitops-engine pkg/health/health_ingress.go), and the root
 * app-of-apps starts a wave only when every child Application of the earlier waves is Healthy. On a
 * cluster whose ingress controller writes no address into Ingress status
 * (`cluster.ingress.publishesStatus: false`), an Ingress keeps its Application Progressing for ever,
 * so every Application of a later wave never starts. Such an Ingress is an error naming the
 * Ingress, its Application and the first Application it holds back. The synth and
 * `kompile validate` both run this.
 */
import { groupKind, ManifestLike, waveOf } from './objects';
import { COMPONENT_LABEL } from './sync-waves';

/** An Ingress whose Application has a later-wave Application it would hold back. */
export interface IngressHealthFinding {
  /** Index of the Ingress in the list given. */
  readonly index: number;
  /** Index of the first later-wave Application it holds back. */
  readonly heldBackIndex: number;
  readonly message: string;
}

/**
 * Ingresses (`networking.k8s.io`, or the older `extensions` group) in an Application that has a
 * later-wave Application, when the cluster's ingress controller does not publish status.
 *
 * Applications are the child Applications Kompile writes (`argoproj.io` Applications carrying the
 * `kompile.dev/component` label, which names their component); the root app-of-apps carries none.
 *
 * @param objects the environment's objects, Applications included, with their wave annotations
 * @param publishesStatus whether the cluster's ingress controller writes an address into Ingress
 *   status (`cluster.ingress.publishesStatus`); when true nothing is reported
 * @param componentOf the component of an object without the `kompile.dev/component` label (objects
 *   a chart renders); @default - none: such objects are in no component and are not judged
 */
export function ingressHealthFindings(objects: readonly ManifestLike[], publishesStatus: boolean, componentOf: (index: number) => string | undefined = () => undefined): IngressHealthFinding[] {
  if (publishesStatus) return [];
  // Child Applications by component, in sync order (wave, then name, as Argo CD orders a wave).
  const applications = objects
    .map((o, index) => ({ o, index }))
    .filter(({ o }) => groupKind(o) === 'argoproj.io/Application' && o.metadata.labels?.[COMPONENT_LABEL] !== undefined)
    .map(({ o, index }) => ({ index, name: o.metadata.name, component: o.metadata.labels![COMPONENT_LABEL], wave: waveOf(o) }))
    .sort((a, b) => a.wave - b.wave || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const findings: IngressHealthFinding[] = [];
  objects.forEach((o, index) => {
    const gk = groupKind(o);
    if (gk !== 'networking.k8s.io/Ingress' && gk !== 'extensions/Ingress') return;
    const component = o.metadata.labels?.[COMPONENT_LABEL] ?? componentOf(index);
    const own = applications.find((a) => a.component === component);
    if (!own) return;
    const later = applications.find((a) => a.wave > own.wave);
    if (!later) return;
    findings.push({
      index,
      heldBackIndex: later.index,
      message:
        `Ingress '${o.metadata.name}' (Application '${own.name}', wave ${own.wave}) stays Progressing: the cluster's ingress controller writes no address ` +
        `into its status.loadBalancer.ingress (cluster.ingress.publishesStatus is false) and Argo CD counts such an Ingress Progressing, ` +
        `so wave ${later.wave} (Application '${later.name}') never starts; set cluster.ingress.publishesStatus where the controller publishes an address ` +
        `(ingress-nginx does unless --update-status=false), or put the Ingress's component in the last wave`,
    });
  });
  return findings;
}
